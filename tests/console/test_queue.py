"""The console's queue: scope, filters, refused filters, sorts and keyset paging."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.console.helpers import listed, set_times
from tests.triage.helpers import LIGHT, new_ticket

MAARIF = {"lat": 33.5731, "long": -7.6298}


@pytest.fixture
def tickets(app, client):
    """Three voirie potholes (one downtown with text, one in Maarif, one late) and one
    eclairage light, filed in that order."""
    made = {
        "school": new_ticket(client, description="Trou devant l'ÉCOLE", address="Rue Tata"),
        "maarif": new_ticket(client, description="Chaussée défoncée", **MAARIF),
        "late": new_ticket(client, description="Nid profond"),
        "light": new_ticket(client, description="Lampe éteinte", **LIGHT),
    }
    codes = {name: t["tracking_code"] for name, t in made.items()}
    set_times(app, codes["late"], expected_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    return codes


def test_a_clerk_sees_only_their_department_newest_first(console, tickets):
    client = console("nadia")
    newest_first = [tickets["late"], tickets["maarif"], tickets["school"]]
    assert listed(client.get("/console/")) == newest_first
    assert listed(console("rachid").get("/console/")) == [tickets["light"]]
    assert len(listed(console("chef").get("/console/"))) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=submitted", ["late", "maarif", "school"]),
        ("status=resolved", []),
        ("area=maarif", ["maarif"]),
        ("service=eclairage-panne", []),
        ("overdue=1", ["late"]),
        ("q=%C3%A9cole", ["school"]),  # "école": any case, accents kept
        ("q=rue+tata", ["school"]),  # the address too
        ("q=100%25", []),  # LIKE wildcards are taken literally
        ("assignee=none", ["late", "maarif", "school"]),
        ("assignee=me", []),
        ("sort=due", ["late", "school", "maarif"]),
    ],
)
def test_filters_and_sorts(console, tickets, query, expected):
    response = console("nadia").get(f"/console/?{query}")
    assert response.status_code == 200
    assert listed(response) == [tickets[name] for name in expected]


def test_dates_are_days_in_casablanca(app, console, tickets):
    # 23:30 UTC on 1 December is 00:30 on 2 December in Casablanca (UTC+1). The others are
    # put well before, so the test does not depend on the hour it runs at (filed "now"
    # just before midnight UTC, they too fall on 2 December in Casablanca).
    set_times(app, tickets["school"], requested_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    for name in ("maarif", "late", "light"):
        set_times(app, tickets[name], requested_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    client = console("nadia")
    assert listed(client.get("/console/?from=2026-12-02&to=2026-12-02")) == [tickets["school"]]
    assert tickets["school"] not in listed(client.get("/console/?to=2026-12-01"))


@pytest.mark.parametrize(
    ("query", "field_text"),
    [
        ("status=lost", "Statut inconnu"),
        ("service=nope", "Service inconnu"),
        ("area=atlantis", "Arrondissement inconnu"),
        ("from=yesterday", "Une date comme"),
        ("sort=random", "Tri inconnu"),
        ("assignee=bob", "attribués à moi"),
        ("cursor=garbage", "lien de page est périmé"),
        ("q=" + "x" * 201, "200 caractères au plus"),
    ],
)
def test_an_unknown_filter_value_is_refused_with_a_message(console, tickets, query, field_text):
    response = console("nadia").get(f"/console/?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Certains filtres ont été refusés" in html and field_text in html
    assert len(listed(response)) == 3  # the refused filter is not applied; the rest is shown


def test_counts_per_status_follow_the_other_filters(console, tickets):
    html = console("nadia").get("/console/?area=maarif").get_data(as_text=True)
    assert 'Tous <span class="count">1</span>' in html
    assert 'Déposé <span class="count">1</span>' in html


def test_keyset_paging_walks_every_ticket_once(app, console, client):
    codes = [new_ticket(client)["tracking_code"] for _ in range(55)]
    browser = console("nadia")
    first = browser.get("/console/")
    html = first.get_data(as_text=True)
    assert len(listed(first)) == 50
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = browser.get(next_url.replace("&amp;", "&"))
    assert 'rel="next"' not in second.get_data(as_text=True)
    assert sorted(listed(first) + listed(second)) == sorted(codes)


def test_the_map_points_are_the_filtered_queue_in_scope(console, tickets):
    response = console("nadia").get("/console/map.geojson?area=maarif")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.json["features"]
    assert [f["id"] for f in features] == [tickets["maarif"]]
    lon, lat = features[0]["geometry"]["coordinates"]
    assert (round(lat, 4), round(lon, 4)) == (MAARIF["lat"], MAARIF["long"])
    everything = console("nadia").get("/console/map.geojson").json["features"]
    assert tickets["light"] not in {f["id"] for f in everything}  # another department's
    assert console("nadia").get("/console/map?status=lost").status_code == 422
