"""CSV exports: the filtered queue and the dashboard's tables, read back as a spreadsheet
would; formula cells neutralised; no phone number; an empty filter gives the header."""

from __future__ import annotations

import csv
import io

import pytest

from citizen_api.console.csv_stream import cell
from tests.console.test_dashboard import city  # noqa: F401 - fixture
from tests.triage.helpers import new_ticket

BOM = "\ufeff"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:])))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+212 ok", "'+212 ok"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tlead", "'\tlead"),
        ("\rlead", "'\rlead"),
        ("plain = text", "plain = text"),
        (-5, "-5"),
        (None, ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_neutralised(value, expected):
    assert cell(value) == expected


def test_the_filtered_queue_exports_every_matching_ticket_and_nothing_else(
    client, console, console_staff
):
    hostile = new_ticket(client, description='=HYPERLINK("http://evil","x") appelez 0612345678',
                         address="@SUM(1+1)", phone="0698765432")["tracking_code"]  # fmt: skip
    plain = [new_ticket(client, description=f"Trou {i}")["tracking_code"] for i in range(3)]
    browser = console("nadia")
    rows = read_csv(browser.get("/console/export.csv?status=submitted"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Code de suivi" and "Description" in header
    assert {r[0] for r in body} == {hostile, *plain}
    line = next(r for r in body if r[0] == hostile)
    description = line[header.index("Description")]
    assert description.startswith("'=HYPERLINK")
    assert line[header.index("Adresse")] == "'@SUM(1+1)"
    text = browser.get("/console/export.csv").get_data(as_text=True)
    for phone in ("0612345678", "0698765432", "612345678", "698765432"):
        assert phone not in text
    # The text filter narrows the export as it narrows the queue.
    narrowed = read_csv(browser.get("/console/export.csv?q=Trou 1"))
    assert [r[0] for r in narrowed[1:]] == [plain[1]]


def test_a_filter_matching_nothing_gives_the_header_only(console, console_staff):
    rows = read_csv(console("nadia").get("/console/export.csv?q=zzz-nothing-like-this"))
    assert len(rows) == 1 and rows[0][0] == "Code de suivi"


def test_a_refused_filter_is_not_exported(console, console_staff):
    assert console("nadia").get("/console/export.csv?status=bogus").status_code == 422


def test_another_departments_tickets_are_not_exported(client, console, console_staff):
    from tests.triage.helpers import LIGHT

    light = new_ticket(client, **LIGHT)["tracking_code"]
    rows = read_csv(console("nadia").get("/console/export.csv"))
    assert light not in {r[0] for r in rows[1:]}
    assert light in {r[0] for r in read_csv(console("rachid").get("/console/export.csv"))[1:]}


def test_the_dashboard_tables_export_the_figures_on_the_page(console, city):  # noqa: F811
    browser = console("salma")
    departments = read_csv(browser.get("/console/dashboard/departments.csv"))
    assert departments[1] == ["voirie", "Direction de la voirie", "2", "1", "1", "50.0", "0.5000"]
    areas = {r[0]: r for r in read_csv(browser.get("/console/dashboard/areas.csv"))[1:]}
    assert areas["hay-hassani"][4:7] == ["1", "0", "1"]
    weeks = read_csv(browser.get("/console/dashboard/weeks.csv"))
    assert len(weeks) == 13 and sum(int(r[2]) for r in weeks[1:]) == 2
    assert browser.get("/console/dashboard/nothing.csv").status_code == 404
