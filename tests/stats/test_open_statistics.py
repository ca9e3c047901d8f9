"""Open statistics: per area, service type and month, kept current as reports are filed
and resolved, served from the aggregates (never by reading the reports), as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import event, select

from citizen_api.extensions import db
from models import MonthlyStats, ResolutionHours
from models.stats import rebuild_stats
from tests.helpers import report, stored_report

THIS_MONTH = dt.datetime.now(dt.UTC).strftime("%Y-%m")


def filed(client, **fields) -> str:
    response = report(client, **fields)
    assert response.status_code == 201, response.json
    return response.json["tracking_code"]


def resolve(app, code, after_hours: float, status="resolved"):
    with app.app_context():
        stored = stored_report(code)
        stored.status = status
        stored.resolved_at = stored.requested_at + dt.timedelta(hours=after_hours)
        db.session.commit()


def stats(client, **params):
    response = client.get("/api/v1/stats", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def city(app, client, area_points):
    """Potholes downtown: 10 h, 30 h, 100 h to resolve (the SLA is 72 h), one still open;
    one street light out in Maarif."""
    potholes = [filed(client) for _ in range(4)]
    for code, hours in zip(potholes, (10, 30, 100), strict=False):
        resolve(app, code, hours)
    lon, lat = area_points["maarif"]
    light = filed(client, service_code="eclairage-panne", lat=lat, long=lon)
    return potholes, light


def test_each_area_service_and_month_gets_its_numbers(client, city):
    body = stats(client)
    rows = {(r["month"], r["area_code"], r["service_code"]): r for r in body["rows"]}
    potholes = rows[(THIS_MONTH, "sidi-belyout", "nid-de-poule")]
    assert potholes["reports"] == 4 and potholes["open"] == 1 and potholes["resolved"] == 3
    assert potholes["median_hours_to_resolve"] == 30
    assert potholes["resolved_within_sla_share"] == pytest.approx(2 / 3, abs=1e-4)
    light = rows[(THIS_MONTH, "maarif", "eclairage-panne")]
    assert (light["reports"], light["open"], light["resolved"]) == (1, 1, 0)
    assert light["median_hours_to_resolve"] is None
    assert body["total"]["reports"] == 5 and body["total"]["resolved"] == 3


def test_a_reopened_report_leaves_the_resolved_numbers(app, client, city):
    potholes, _ = city
    with app.app_context():
        stored_report(potholes[2]).status = "in_progress"  # the 100 h one comes back
        db.session.commit()
    [row] = stats(client, group_by="service", service_code="nid-de-poule")["rows"]
    assert (row["open"], row["resolved"]) == (2, 2)
    assert row["median_hours_to_resolve"] == 20  # (10 + 30) / 2
    assert row["resolved_within_sla_share"] == 1


def test_the_aggregates_match_a_recount_from_the_reports(app, client, city):
    potholes, light = city
    resolve(app, light, 50, status="closed")
    with app.app_context():
        stored_report(potholes[3]).status = "rejected"
        db.session.commit()

        def snapshot():
            monthly = db.session.execute(select(MonthlyStats.__table__)).all()
            hours = db.session.execute(
                select(ResolutionHours.__table__).where(ResolutionHours.reports != 0)
            ).all()
            return sorted(monthly), sorted(hours)

        kept_current = snapshot()
        rebuild_stats(db.session)
        db.session.commit()
        assert snapshot() == kept_current


def test_the_period_filter_picks_months(app, client, city):
    potholes, _ = city
    with app.app_context():  # one report filed in January 2025 (an import, say)
        stored_report(potholes[3]).requested_at = dt.datetime(2025, 1, 15, 9, tzinfo=dt.UTC)
        db.session.commit()
    january = stats(client, **{"from": "2025-01", "to": "2025-01"})
    assert [(r["month"], r["reports"]) for r in january["rows"]] == [("2025-01", 1)]
    since_then = stats(client, **{"from": "2025-02"}, group_by="month")
    assert [(r["month"], r["reports"]) for r in since_then["rows"]] == [(THIS_MONTH, 4)]


def test_grouping_and_filters_narrow_the_rows(client, city):
    body = stats(client, group_by="area", lang="ar")
    assert body["group_by"] == ["area"]
    assert {(r["area_code"], r["area_name"], r["reports"]) for r in body["rows"]} == {
        ("sidi-belyout", "سيدي بليوط", 4),
        ("maarif", "المعاريف", 1),
    }
    only = stats(client, area="maarif", group_by="service")["rows"]
    assert [(r["service_code"], r["reports"]) for r in only] == [("eclairage-panne", 1)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"from": "2026-06", "to": "2026-01"}, "to"),
        ({"group_by": "week"}, "group_by"),
        ({"area": "atlantis"}, "area"),
        ({"service_code": "volcan"}, "service_code"),
        ({"limit": "5"}, "limit"),
    ],
)
def test_a_bad_question_is_a_clear_422(client, params, field):
    response = client.get("/api/v1/stats", query_string=params)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


@pytest.mark.parametrize("how", ["accept", "suffix"])
def test_the_statistics_come_as_csv(client, city, how):
    if how == "accept":
        response = client.get("/api/v1/stats?lang=ar", headers={"Accept": "text/csv"})
    else:
        response = client.get("/api/v1/stats.csv?lang=ar")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    potholes = next(r for r in rows if r["service_code"] == "nid-de-poule")
    assert potholes["service_name"] == "حفرة في الطريق"
    assert (potholes["reports"], potholes["median_hours_to_resolve"]) == ("4", "30.0")


def test_reading_the_statistics_never_reads_the_reports(app, client, city):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        stats(client)
        client.get("/api/v1/stats.csv").close()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements
    assert not [s for s in statements if "service_requests" in s]
