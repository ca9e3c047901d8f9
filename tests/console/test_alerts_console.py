"""Area alerts from the console (/console/alerts): supervisors and admins publish, update
and end an alert through the same domain as the API (the same checks, the same CAP
versions, the same broadcast); a clerk gets the 403 page; a refused form publishes
nothing and says why next to the field, in the viewer's language; a stale form changes
nothing and says who changed what."""

from __future__ import annotations

import datetime as dt
import html as entities
import json
import math
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from citizen_api.extensions import db
from models import Alert, AlertSubscription, Area, OutboundMessage, ReporterContact
from tests.alerts.test_cap_feed import (
    MAARIF_POINT,
    cap_schema,  # noqa: F401 - fixture
    read_cap,
)
from tests.console.conftest import csrf_token
from tests.console.conftest import post as post_with
from tests.helpers import square

CASABLANCA = ZoneInfo("Africa/Casablanca")
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[-7.64, 33.57], [-7.63, 33.58], [-7.63, 33.57], [-7.64, 33.58], [-7.64, 33.57]]
    ],
}


def local(hours: float) -> str:
    """A datetime-local value `hours` from now, in Casablanca time."""
    when = dt.datetime.now(CASABLANCA) + dt.timedelta(hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M")


def alert_form(**overrides) -> dict:
    form = {
        "kind": "water_cut",
        "severity": "moderate",
        "areas": ["maarif"],
        "services": ["fuite-eau"],
        "polygon": "",
        "starts_at": local(-1),
        "ends_at": local(10),
        "headline_fr": "Coupure d'eau à Maârif",
        "headline_ar": "انقطاع الماء بالمعاريف",
        "headline_en": "Water cut in Maârif",
        "text_fr": "Travaux sur le réseau.",
        "text_ar": "أشغال على الشبكة.",
        "text_en": "Network works.",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def counts(app) -> tuple[int, int]:
    """(alerts, alert messages) in the database."""
    with app.app_context():
        alerts = db.session.scalar(select(func.count()).select_from(Alert))
        messages = db.session.scalar(
            select(func.count()).select_from(OutboundMessage).where(OutboundMessage.kind == "alert")
        )
        db.session.remove()
    return alerts, messages


def subscriber(app, e164="+212611009001", area="maarif", lang="fr") -> None:
    with app.app_context():
        contact = ReporterContact(phone_e164=e164)
        db.session.add(contact)
        db.session.flush()
        area_id = db.session.scalar(select(Area.id).where(Area.code == area))
        db.session.add(
            AlertSubscription(
                contact_id=contact.id, area_id=area_id, lang=lang, channel="sms", state="active"
            )
        )
        db.session.commit()
        db.session.remove()


def post(browser, path: str, **data):
    """POST a console form as a signed-in browser (the token read from the queue page)."""
    return post_with(browser, path, csrf_token(browser, "/console/"), **data)


def publish_form(browser, **overrides):
    return post(browser, "/console/alerts", **alert_form(**overrides))


def published_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/console/alerts/(\d+)$", response.headers["Location"]).group(1))


def field_error(html: str, field: str) -> str:
    """The message shown next to a field (its id is `<field>-error`)."""
    found = re.findall(rf'<span class="field-error" id="{field}-error">([^<]*)</span>', html)
    assert found, f"no error shown for {field}"
    return " ".join(found)


@pytest.mark.parametrize("path", ["/console/alerts", "/console/alerts/new"])
def test_a_clerk_gets_the_403_page_and_no_link(console, path):
    nadia = console("nadia")
    response = nadia.get(path)
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)
    assert 'href="/console/alerts"' not in nadia.get("/console/").get_data(as_text=True)
    refused = publish_form(nadia)
    assert refused.status_code == 403


def test_a_clerk_cannot_publish(app, console):
    assert publish_form(console("nadia")).status_code == 403
    assert counts(app) == (0, 0)


def test_a_supervisor_publishes_and_the_api_and_subscribers_see_it(app, client, console):
    subscriber(app)
    salma = console("salma")
    assert 'href="/console/alerts"' in salma.get("/console/").get_data(as_text=True)
    response = publish_form(salma, starts_at="2026-12-02T08:00", ends_at="2026-12-02T18:00")
    alert_id = published_id(response)
    shown = entities.unescape(salma.get(response.headers["Location"]).get_data(as_text=True))
    assert "L'alerte a été publiée" in shown
    [item] = client.get("/api/v1/alerts").get_json()["items"]
    assert item["id"] == alert_id
    assert item["areas"] == ["maarif"] and item["services"] == ["fuite-eau"]
    assert item["headline"]["ar"] == "انقطاع الماء بالمعاريف"
    # 08:00 and 18:00 in Casablanca (UTC+1) are 07:00 and 17:00 UTC.
    assert dt.datetime.fromisoformat(item["starts_at"]) == dt.datetime(
        2026, 12, 2, 7, tzinfo=dt.UTC
    )
    assert dt.datetime.fromisoformat(item["ends_at"]) == dt.datetime(2026, 12, 2, 17, tzinfo=dt.UTC)
    # The broadcast was queued as the API queues it: one message for the subscriber.
    assert counts(app) == (1, 1)
    listing = salma.get("/console/alerts").get_data(as_text=True)
    assert f'data-alert="{alert_id}"' in listing


def test_an_admin_publishes_a_drawn_zone(app, client, console):
    chef = console("chef")
    zone = json.dumps(square(*MAARIF_POINT))
    alert_id = published_id(publish_form(chef, areas=None, polygon=zone, kind="road_works"))
    alert = client.get(f"/api/v1/alerts/{alert_id}").get_json()
    assert alert["polygon"] == json.loads(zone) and "maarif" in alert["covered_areas"]


def _ring(vertices: int) -> str:
    lon, lat = MAARIF_POINT
    ring = [
        [
            lon + 0.003 * math.cos(t / vertices * 2 * math.pi),
            lat + 0.003 * math.sin(t / vertices * 2 * math.pi),
        ]
        for t in range(vertices)
    ]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


@pytest.mark.parametrize(
    ("overrides", "field", "fr", "en"),
    [
        ({"polygon": json.dumps(BOW_TIE)}, "polygon", "se croise", "crosses itself"),
        ({"polygon": json.dumps(square(-6.85, 34.02))}, "polygon", "dans Casablanca", "inside"),
        ({"polygon": _ring(600)}, "polygon", "au plus 500", "at most 500"),
        ({"polygon": "{not json"}, "polygon", "GeoJSON", "GeoJSON"),
        ({"ends_at": local(-3)}, "ends_at", "après le début", "after the start"),
        ({"ends_at": "tomorrow"}, "ends_at", "date", "date"),
        ({"areas": ["atlantis"]}, "areas", "atlantis", "atlantis"),
        ({"areas": None}, "areas", "au moins une zone", "at least one area"),
        ({"services": ["teleportation"]}, "services", "teleportation", "teleportation"),
        ({"headline_fr": ""}, "headline", "en français", "in French"),
        ({"kind": "meteor"}, "kind", "liste", "list"),
    ],
)
def test_a_refused_form_says_why_next_to_the_field_and_publishes_nothing(
    app, console, overrides, field, fr, en
):
    subscriber(app)
    salma = console("salma")
    response = publish_form(salma, **overrides)
    assert response.status_code == 422
    html = entities.unescape(response.get_data(as_text=True))
    assert fr in field_error(html, field)
    assert "Rien n'a été publié" in html
    # What was typed stays in the form.
    assert ">Travaux sur le réseau.</textarea>" in html
    assert counts(app) == (0, 0)
    post(salma, "/console/language", lang="en", next="/console/alerts")
    again = publish_form(salma, **overrides)
    assert again.status_code == 422
    assert en in field_error(again.get_data(as_text=True), field)
    assert counts(app) == (0, 0)


def test_the_error_reads_in_arabic(app, console):
    salma = console("salma")
    post(salma, "/console/language", lang="ar", next="/console/alerts")
    response = publish_form(salma, polygon=json.dumps(BOW_TIE))
    assert response.status_code == 422
    assert "تتقاطع" in field_error(response.get_data(as_text=True), "polygon")


def test_an_update_is_a_cap_update_and_ending_is_a_cap_cancel(
    app,
    client,
    console,
    cap_schema,  # noqa: F811
):
    subscriber(app)
    salma = console("salma")
    alert_id = published_id(publish_form(salma))
    page = salma.get(f"/console/alerts/{alert_id}").get_data(as_text=True)
    assert 'name="version" value="1"' in page
    updated = post(
        salma,
        f"/console/alerts/{alert_id}",
        **alert_form(version="1", ends_at=local(20), headline_fr="Coupure prolongée"),
    )
    assert updated.status_code == 302, updated.get_data(as_text=True)[:2000]
    cap = read_cap(client, cap_schema, alert_id)
    assert cap["msgType"] == "Update"
    assert client.get(f"/api/v1/alerts/{alert_id}").get_json()["headline"]["fr"] == (
        "Coupure prolongée"
    )
    history = salma.get(f"/console/alerts/{alert_id}").get_data(as_text=True)
    assert "salma" in history and "fin prévue" in history and "titre" in history
    assert counts(app) == (1, 2)  # the subscriber is told of the update

    confirm = salma.get(f"/console/alerts/{alert_id}/end")
    assert confirm.status_code == 200
    assert 'name="version" value="2"' in confirm.get_data(as_text=True)
    assert client.get(f"/api/v1/alerts/{alert_id}").get_json()["status"] == "published"
    ended = post(salma, f"/console/alerts/{alert_id}/end", version="2")
    assert ended.status_code == 302
    assert read_cap(client, cap_schema, alert_id)["msgType"] == "Cancel"
    assert client.get("/api/v1/alerts").get_json()["items"] == []
    assert counts(app) == (1, 3)
    # Ended: no form any more; posting one changes nothing.
    late = post(salma, f"/console/alerts/{alert_id}", **alert_form(version="3"))
    assert late.status_code == 409


def test_a_stale_form_changes_nothing_and_says_who_changed_what(app, client, console):
    salma, chef = console("salma"), console("chef")
    alert_id = published_id(publish_form(salma))
    first = post(chef, f"/console/alerts/{alert_id}", **alert_form(version="1", severity="severe"))
    assert first.status_code == 302
    stale = post(
        salma, f"/console/alerts/{alert_id}", **alert_form(version="1", headline_fr="Autre titre")
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    warning = html[html.index('id="stale"') : html.index("</div>", html.index('id="stale"'))]
    assert "chef" in warning and "gravité" in warning
    assert "Autre titre" in html  # the form keeps what she typed
    alert = client.get(f"/api/v1/alerts/{alert_id}").get_json()
    assert alert["version"] == 2 and alert["headline"]["fr"] == "Coupure d'eau à Maârif"
    assert post(salma, f"/console/alerts/{alert_id}/end", version="1").status_code == 409
    assert client.get(f"/api/v1/alerts/{alert_id}").get_json()["status"] == "published"


def test_an_update_that_changes_nothing_publishes_no_version(app, client, console):
    salma = console("salma")
    alert_id = published_id(publish_form(salma))
    form = alert_form(version="1")
    page = salma.get(f"/console/alerts/{alert_id}").get_data(as_text=True)
    form["starts_at"] = re.search(r'name="starts_at"[^>]*value="([^"]+)"', page).group(1)
    form["ends_at"] = re.search(r'name="ends_at"[^>]*value="([^"]+)"', page).group(1)
    same = post(salma, f"/console/alerts/{alert_id}", **form)
    assert same.status_code == 422
    assert client.get(f"/api/v1/alerts/{alert_id}").get_json()["version"] == 1


def test_a_form_without_the_csrf_token_does_nothing(app, console):
    salma = console("salma")
    csrf_token(salma, "/console/alerts/new")
    response = salma.post("/console/alerts", data=alert_form())
    assert response.status_code == 400
    assert counts(app) == (0, 0)


def test_an_unknown_alert_is_the_404_page(console):
    assert console("salma").get("/console/alerts/999999").status_code == 404
