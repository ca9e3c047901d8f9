"""The dashboard: its figures against an independent count of the tickets filed here,
against /api/v1/triage/summary and /api/v1/stats, in the viewer's scope; a clerk is
refused."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from citizen_api.extensions import db
from models.stats import rebuild_stats
from tests.console.conftest import PASSWORD
from tests.console.helpers import set_times
from tests.triage.helpers import LIGHT, move, new_ticket

NOW = dt.datetime.now(dt.UTC)


class Rows(HTMLParser):
    """The cells of each <tr data-KEY="..."> row of a page, by that code."""

    def __init__(self, key: str):
        super().__init__()
        self.key, self.rows, self.current = key, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and f"data-{self.key}" in attrs:
            self.current = self.rows.setdefault(attrs[f"data-{self.key}"], [])
        elif tag in ("td", "th") and self.current is not None:
            self.current.append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self.current = None

    def handle_data(self, data):
        if self.current is not None and self.current:
            self.current[-1] += data.strip()


def table(html: str, key: str) -> dict[str, list[str]]:
    parser = Rows(key)
    parser.feed(html)
    return parser.rows


def bearer(client, username) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def city(app, client, console_staff, area_points):
    """Five tickets with known times: voirie A (anfa, overdue), D (hay-hassani, open),
    B (anfa, resolved 8 days ago in 10 h, within its SLA), C (hay-hassani, resolved a
    minute ago in 90 h, 40 h late); eclairage E (anfa, open)."""
    admin = bearer(client, "chef")
    lon, lat = area_points["anfa"]
    hlon, hlat = area_points["hay-hassani"]
    codes = {
        "A": new_ticket(client, lat=lat, long=lon)["tracking_code"],
        "B": new_ticket(client, lat=lat, long=lon)["tracking_code"],
        "C": new_ticket(client, lat=hlat, long=hlon)["tracking_code"],
        "D": new_ticket(client, lat=hlat, long=hlon)["tracking_code"],
        "E": new_ticket(client, lat=lat, long=lon, **LIGHT)["tracking_code"],
    }
    for name in "BC":
        move(client, admin, codes[name], "acknowledged", "in_progress", "resolved")
    hour = dt.timedelta(hours=1)
    b_done, c_done = NOW - dt.timedelta(days=8), NOW - dt.timedelta(minutes=1)
    set_times(app, codes["A"], expected_at=NOW - 5 * hour)
    set_times(app, codes["B"], requested_at=b_done - 10 * hour, resolved_at=b_done,
              expected_at=b_done + hour)  # fmt: skip
    set_times(app, codes["C"], requested_at=c_done - 90 * hour, resolved_at=c_done,
              expected_at=c_done - 40 * hour)  # fmt: skip
    with app.app_context():
        rebuild_stats(db.session)  # set_times wrote past the ORM
        db.session.commit()
    return codes


def test_a_supervisor_sees_their_departments_figures(console, city):
    html = console("salma").get("/console/dashboard").get_data(as_text=True)
    departments = table(html, "department")
    assert list(departments) == ["voirie"]
    # open, overdue, resolved this week, median hours, within SLA
    assert departments["voirie"][1:] == ["2", "1", "1", "50.0", "50 %"]
    areas = table(html, "area")
    assert areas["anfa"][1] == "1" and areas["anfa"][3] == "1"  # A open and overdue
    assert areas["hay-hassani"][1:2] == ["1"] and areas["hay-hassani"][4:6] == ["1", "90.0"]
    assert "eclairage" not in html.split('data-department="voirie"')[1].split("</table>")[0]
    weeks = list(table_rows_after(html, 'aria-labelledby="trend"'))
    assert len(weeks) == 12
    assert sum(w[1] for w in weeks) == 4 and sum(w[2] for w in weeks) == 2
    assert weeks[-1][2] == 1  # C, resolved a minute ago


def table_rows_after(html: str, marker: str):
    """(label, filed, resolved) rows of the table after `marker`."""
    body = html[html.rindex(marker) :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    for row in re.findall(r"<tr>(.*?)</tr>", body):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        yield cells[0], int(cells[1]), int(cells[2])


def test_the_figures_are_the_apis_figures(client, console, city):
    html = console("chef").get("/console/dashboard").get_data(as_text=True)
    departments, areas = table(html, "department"), table(html, "area")
    summary = client.get("/api/v1/triage/summary", headers=bearer(client, "chef")).json
    open_statuses = {"submitted", "acknowledged", "in_progress"}
    for d in summary["departments"]:
        opened = sum(s["count"] for s in d["statuses"] if s["status"] in open_statuses)
        assert departments[d["code"]][1:3] == [str(opened), str(d["overdue"])]
    assert set(departments) == {d["code"] for d in summary["departments"]}
    stats = client.get("/api/v1/stats", query_string={"group_by": "area"}).json
    for row in stats["rows"]:
        assert areas[row["area_code"]][1] == str(row["open"])
    for code, cells in areas.items():
        if cells[1] != "0":
            assert any(r["area_code"] == code for r in stats["rows"])
    total = stats["total"]
    kpis = re.findall(r'<span class="kpi">([^<]*)</span>', html)
    assert kpis[0] == str(total["open"])
    assert kpis[3] == f"{total['median_hours_to_resolve']:.1f}" == "50.0"
    assert kpis[4] == f"{total['resolved_within_sla_share'] * 100:.0f} %" == "50 %"
    # The supervisor's view matches the API as the supervisor sees it.
    mine = client.get("/api/v1/triage/summary", headers=bearer(client, "salma")).json
    assert [d["code"] for d in mine["departments"]] == ["voirie"]


def test_the_map_shades_each_area_by_open_tickets_per_km2(console, city):
    html = console("chef").get("/console/dashboard").get_data(as_text=True)
    paths = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})" data-area="([a-z-]+)">'
                       r"<title>([^<]+)</title>", html)  # fmt: skip
    assert len(paths) == 17
    fills = {code: fill for fill, code, _ in paths}
    # anfa has two open tickets (A, E), hay-hassani one; the rest none.
    assert fills["anfa"] != fills["ain-chock"] and fills["hay-hassani"] != fills["ain-chock"]
    areas = table(html, "area")
    anfa_density = float(areas["anfa"][2])
    assert (
        anfa_density > 0
        and f"{anfa_density:.2f} ouverts par km²"
        in dict((code, title) for _, code, title in paths)["anfa"]
    )


def test_a_clerk_gets_403_on_the_dashboard(console):
    response = console("nadia").get("/console/dashboard")
    assert response.status_code == 403
    assert console("nadia").get("/console/dashboard/areas.csv").status_code == 403


def test_an_admin_narrows_the_dashboard_to_one_department(console, city):
    admin = console("chef")
    html = admin.get("/console/dashboard?department=eclairage").get_data(as_text=True)
    assert list(table(html, "department")) == ["eclairage"]
    assert table(html, "department")["eclairage"][1:3] == ["1", "0"]
    assert list(table(html, "area")) == ["anfa"]
    refused = admin.get("/console/dashboard?department=nowhere")
    assert refused.status_code == 422 and "Direction inconnue" in refused.get_data(as_text=True)
    # A supervisor cannot look at another department this way.
    other = console("salma").get("/console/dashboard?department=eclairage").get_data(as_text=True)
    assert list(table(other, "department")) == ["voirie"]
