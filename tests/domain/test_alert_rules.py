"""Alerts (citizen_api/domain/alerts.py) called directly on SpatiaLite: a revision is the
next version and reaches the covered areas' subscribers, which alerts are current and in
what order, which live alert explains a report, and the refusal of unknown areas. The
HTTP behaviour is in tests/alerts/; these are the fast tests `make mutation` runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citizen_api.domain.alerts import (
    AlertInvalid,
    current_alerts,
    explaining,
    publish,
    revise,
)
from models import AlertSubscription, Area, OutboundMessage, ReporterContact
from tests.alerts.conftest import water_cut
from tests.conftest import rolled_back_session

MAARIF = (-7.6400, 33.5790)  # lon, lat
ANFA = (-7.6700, 33.5900)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def s(app):
    yield from rolled_back_session(app)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def alert(s, *, starts=-1.0, ends=10.0, **overrides):
    now = now_utc()
    data = water_cut(**overrides)
    data["starts_at"] = now + starts * HOUR
    data["ends_at"] = now + ends * HOUR
    return publish(s, "sup", data, now)


def subscriber(s, phone: str, area: str) -> ReporterContact:
    contact = ReporterContact(phone_e164=phone)
    s.add(contact)
    s.flush()
    area_id = s.scalar(select(Area.id).where(Area.code == area))
    s.add(
        AlertSubscription(
            contact_id=contact.id, area_id=area_id, lang="fr", channel="sms", state="active"
        )
    )
    s.flush()
    return contact


def alert_messages(s, contact) -> int:
    return s.scalar(
        select(func.count(OutboundMessage.id)).where(OutboundMessage.contact_id == contact.id)
    )


def test_a_revision_is_the_next_version_and_reaches_the_subscribers(s):
    resident = subscriber(s, "+212612345601", "maarif")
    published = alert(s)
    assert alert_messages(s, resident) == 1
    later = now_utc() + HOUR
    revise(s, published, {"ends_at": later + 5 * HOUR}, later)
    assert published.version == 2
    assert [r["version"] for r in published.revisions] == [1, 2]
    assert [r["msg_type"] for r in published.revisions] == ["Alert", "Update"]
    assert published.revisions[-1]["sent"] == later.isoformat(timespec="seconds")
    assert alert_messages(s, resident) == 2  # the update reached them too
    revise(s, published, {"status": "cancelled"}, later)
    assert [r["version"] for r in published.revisions] == [1, 2, 3]
    assert published.status == "cancelled"


def test_a_revision_keeps_the_translations_it_does_not_change(s):
    published = alert(s)
    revise(s, published, {"text": {"en": "Pipe repaired soon."}}, now_utc())
    assert published.description == {
        "fr": "Travaux sur le réseau.",
        "ar": "أشغال على الشبكة.",
        "en": "Pipe repaired soon.",
    }
    revise(s, published, {"headline": {"fr": "Eau coupée à Maârif"}}, now_utc())
    assert published.headline["fr"] == "Eau coupée à Maârif"
    assert published.headline["en"] == "Water cut in Maârif"


def test_a_revision_moves_the_covered_areas(s):
    published = alert(s)
    revise(s, published, {"areas": ["anfa"]}, now_utc())
    assert published.area_codes == ["anfa"]
    assert published.covered_areas == ["anfa"]
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [-7.645, 33.575],
                [-7.635, 33.575],
                [-7.635, 33.583],
                [-7.645, 33.583],
                [-7.645, 33.575],
            ]
        ],
    }
    revise(s, published, {"polygon": square}, now_utc())
    assert published.polygon == square
    assert "maarif" in published.covered_areas and "anfa" in published.covered_areas


def test_a_running_alert_may_be_revised_after_its_end_passed(s):
    """Only a new alert must still be running; a revision of one (its end corrected to
    the past, once the water is back) is accepted."""
    published = alert(s, starts=-5, ends=1)
    now = now_utc()
    revise(s, published, {"ends_at": now - HOUR}, now)
    assert published.ends_at == now - HOUR
    with pytest.raises(AlertInvalid) as refused:
        alert(s, starts=-5, ends=-1)
    assert refused.value.errors == {
        "ends_at": ["ends_at is already past: an alert must still be running."]
    }


def test_unknown_areas_are_refused_listing_the_known_ones(s):
    with pytest.raises(AlertInvalid) as refused:
        alert(s, areas=["atlantis", "maarif", "lemuria"])
    [message] = refused.value.errors["areas"]
    known = sorted(s.scalars(select(Area.code)))
    assert message == f"Unknown area(s) atlantis, lemuria; known areas: {', '.join(known)}."
    assert str(refused.value) == "invalid alert"


def test_current_alerts_are_those_not_ended_by_start(s):
    now = now_utc()
    later = alert(s, starts=2, ends=5, kind="other")
    first = alert(s, starts=-3, ends=4)
    same_start = alert(s, starts=-3, ends=6)
    alert(s, starts=-3, ends=1)  # ends in an hour: still current
    ended = alert(s, starts=-3, ends=2)
    ended.ends_at = now  # ends right now: not current any more
    s.flush()
    listed = current_alerts(s, now)
    assert ended not in listed
    assert listed.index(first) < listed.index(same_start) < listed.index(later)  # by start, then id
    assert [a.starts_at for a in listed] == sorted(a.starts_at for a in listed)


def test_the_live_alert_ending_last_explains_a_report(s):
    short = alert(s, ends=2)
    long = alert(s, ends=8)
    alert(s, ends=12, services=["nid-de-poule"])  # another service
    alert(s, starts=1, ends=20)  # not started
    assert explaining(s, *MAARIF, "fuite-eau") is long
    assert explaining(s, *ANFA, "fuite-eau") is None  # elsewhere
    long.starts_at, long.ends_at = now_utc() - 3 * HOUR, now_utc() - HOUR  # over
    s.flush()
    assert explaining(s, *MAARIF, "fuite-eau") is short
    short.starts_at, short.ends_at = now_utc() - 3 * HOUR, now_utc() - HOUR
    s.flush()
    assert explaining(s, *MAARIF, "fuite-eau") is None


def test_an_alert_starting_now_explains_and_one_ending_now_does_not(s):
    now = dt.datetime.now(dt.UTC)
    starting = alert(s, starts=-1, ends=3)
    starting.starts_at = now - dt.timedelta(seconds=1)
    s.flush()
    assert explaining(s, *MAARIF, "fuite-eau") is starting
    starting.starts_at = now - HOUR
    starting.ends_at = now - dt.timedelta(seconds=1)
    s.flush()
    assert explaining(s, *MAARIF, "fuite-eau") is None


def refusal(s, now=None, **data) -> dict:
    now = now or now_utc()
    body = {**water_cut(), "starts_at": now - HOUR, "ends_at": now + 10 * HOUR, **data}
    with pytest.raises(AlertInvalid) as refused:
        publish(s, "sup", body, now)
    return refused.value.errors


def test_each_rule_of_an_alert_says_what_to_fix(s):
    now = now_utc()
    assert refusal(s, areas=[], polygon=None) == {
        "areas": ["Name at least one area or draw a polygon."]
    }
    assert refusal(s, services=["fuite-eau", "piscine", "jacuzzi"]) == {
        "services": ["Unknown service code(s) piscine, jacuzzi; see /api/v1/services."]
    }
    assert refusal(s, starts_at=now + HOUR, ends_at=now + HOUR) == {
        "ends_at": ["ends_at must come after starts_at."]
    }
    assert refusal(s, starts_at=now, ends_at=now + dt.timedelta(days=90, seconds=1)) == {
        "ends_at": ["An alert lasts at most 90 days; publish a new one after."]
    }
    assert refusal(s, now, starts_at=now - 2 * HOUR, ends_at=now) == {
        "ends_at": ["ends_at is already past: an alert must still be running."]
    }


def test_an_alert_of_exactly_90_days_is_accepted(s):
    now = now_utc()
    data = {**water_cut(), "starts_at": now, "ends_at": now + dt.timedelta(days=90)}
    assert publish(s, "sup", data, now).ends_at == now + dt.timedelta(days=90)


def test_an_alert_without_services_or_areas_named(s):
    """No services: it concerns every service; a polygon alone: no named areas."""
    now = now_utc()
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [-7.645, 33.575],
                [-7.635, 33.575],
                [-7.635, 33.583],
                [-7.645, 33.583],
                [-7.645, 33.575],
            ]
        ],
    }
    data = {**water_cut(), "starts_at": now - HOUR, "ends_at": now + HOUR, "polygon": square}
    del data["services"], data["areas"]
    published = publish(s, "sup", data, now)
    assert (published.service_codes, published.area_codes) == ([], [])
    assert "maarif" in published.covered_areas
