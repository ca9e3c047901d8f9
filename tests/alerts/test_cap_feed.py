"""CAP 1.2 documents and the Atom index, read with parsers casa311 does not write: the
OASIS CAP 1.2 XSD (shipped in tests/alerts/schema/) through `xmlschema`, and `feedparser`
for Atom."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import xmlschema
from shapely.geometry import Point, Polygon

from tests.alerts.conftest import publish, soon
from tests.helpers import square

CAP_XSD = Path(__file__).parent / "schema" / "CAP-v1.2.xsd"
MAARIF_POINT = (-7.6400, 33.5790)


@pytest.fixture(scope="module")
def cap_schema():
    return xmlschema.XMLSchema(str(CAP_XSD))


def read_cap(client, cap_schema, alert_id) -> dict:
    response = client.get(f"/cap/alerts/{alert_id}.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/cap+xml"
    cap_schema.validate(response.data.decode())  # raises on any departure from CAP 1.2
    return cap_schema.to_dict(response.data.decode())


def test_an_alert_is_a_valid_cap_message_with_one_info_per_language(client, supervisor, cap_schema):
    alert = publish(client, supervisor).get_json()
    cap = read_cap(client, cap_schema, alert["id"])
    assert cap["msgType"] == "Alert" and cap["status"] == "Actual" and cap["scope"] == "Public"
    assert "references" not in cap
    languages = [info["language"] for info in cap["info"]]
    assert languages == ["fr-MA", "ar-MA", "en"]
    french, arabic, _ = cap["info"]
    assert french["headline"] == "Coupure d'eau à Maârif"
    assert arabic["headline"] == "انقطاع الماء بالمعاريف"
    assert french["severity"] == "Moderate" and french["urgency"] == "Immediate"
    assert french["category"] == ["Infra"]
    [area] = french["area"]
    assert area["areaDesc"] == "Maârif"
    assert arabic["area"][0]["areaDesc"] == "المعاريف"
    assert {"valueName": "casa311:area", "value": "maarif"} in area["geocode"]
    # The polygon is CAP's "lat,lon" pairs, closed, and it contains a point of Maârif.
    pairs = [tuple(map(float, p.split(","))) for p in area["polygon"][0].split()]
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    ring = Polygon([(lon, lat) for lat, lon in pairs])
    assert ring.contains(Point(*MAARIF_POINT))


def test_an_update_and_a_cancel_reference_what_they_replace(client, supervisor, cap_schema):
    created = publish(client, supervisor)
    alert_id = created.get_json()["id"]
    first = read_cap(client, cap_schema, alert_id)
    updated = client.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"severity": "severe", "ends_at": soon(20)},
        headers={**supervisor, "If-Match": created.headers["ETag"]},
    )
    second = read_cap(client, cap_schema, alert_id)
    assert second["msgType"] == "Update"
    assert second["info"][0]["severity"] == "Severe"
    assert second["identifier"] != first["identifier"]
    assert second["references"] == f"{first['sender']},{first['identifier']},{first['sent']}"
    client.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"status": "cancelled"},
        headers={**supervisor, "If-Match": updated.headers["ETag"]},
    )
    third = read_cap(client, cap_schema, alert_id)
    assert third["msgType"] == "Cancel"
    assert third["references"].split() == [
        f"{first['sender']},{first['identifier']},{first['sent']}",
        f"{second['sender']},{second['identifier']},{second['sent']}",
    ]


def test_a_drawn_polygon_is_its_own_cap_polygon(client, supervisor, cap_schema):
    lon, lat = MAARIF_POINT
    drawn = square(lon, lat)
    alert = publish(client, supervisor, areas=[], polygon=drawn).get_json()
    cap = read_cap(client, cap_schema, alert["id"])
    [area] = cap["info"][0]["area"]
    assert area["areaDesc"] == "Zone délimitée"
    [polygon] = area["polygon"]
    assert [tuple(map(float, p.split(","))) for p in polygon.split()] == [
        (y, x) for x, y in drawn["coordinates"][0]
    ]


def test_an_unknown_alert_has_no_cap_document(client):
    assert client.get("/cap/alerts/424242.xml").status_code == 404


def test_the_atom_feed_lists_each_alert_with_a_link_to_its_cap(client, supervisor):
    water = publish(client, supervisor).get_json()
    power = publish(
        client,
        supervisor,
        kind="power_cut",
        areas=["sidi-moumen"],
        services=[],
        headline={"fr": "Coupure d'électricité à Sidi Moumen"},
    ).get_json()
    response = client.get("/cap/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Coupure d'eau à Maârif", "Coupure d'électricité à Sidi Moumen"}
    links = {
        link.href
        for entry in feed.entries
        for link in entry.links
        if link.type == "application/cap+xml"
    }
    assert {href.rsplit("/", 1)[-1] for href in links} == {
        f"{water['id']}.xml",
        f"{power['id']}.xml",
    }
    for href in links:  # every link resolves to a CAP document
        assert client.get(urlsplit(href).path).status_code == 200


def test_a_cancelled_alert_stays_in_the_feed_as_a_cancel(client, supervisor):
    created = publish(client, supervisor)
    alert_id = created.get_json()["id"]
    client.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"status": "cancelled"},
        headers={**supervisor, "If-Match": created.headers["ETag"]},
    )
    feed = feedparser.parse(client.get("/cap/feed.atom").data)
    [entry] = feed.entries
    assert [t.term for t in entry.tags] == ["Cancel"]
