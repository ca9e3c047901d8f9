"""Filing a report (citizen_api/domain/reporting.py) called directly on SpatiaLite: what is
stored, what each refusal says, the report token, and the retry of a clash. The expected
values are written out here as the API guide states them.

These are the fast tests `make mutation` runs against the module; the HTTP answers are in
tests/test_reports_api.py and tests/open311/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from citizen_api.domain.catalogue_cache import catalogue, forget_catalogue
from citizen_api.domain.reporting import (
    InvalidReport,
    active_service,
    check_report_token,
    file_report,
    hash_report_token,
    submit_report,
)
from citizen_api.extensions import db
from models import (
    Department,
    OutboundMessage,
    ReporterContact,
    RoutingRule,
    ServiceRequest,
    ServiceType,
)
from tests.conftest import rolled_back_session
from tests.helpers import DOWNTOWN, just_outside
from tests.test_catalogue_and_areas_api import anfa_only_service  # noqa: F401 (a fixture)

SIDI_BELYOUT = DOWNTOWN  # a point in Sidi Belyout


@pytest.fixture
def s(app):
    yield from rolled_back_session(app)


def count(s, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


def test_the_token_is_kept_as_its_sha256():
    # SHA-256("abc"), from FIPS 180-2's examples.
    assert hash_report_token("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_only_the_reports_own_token_opens_it(s):
    report = file_report(s, service_code="nid-de-poule", **DOWNTOWN)
    token = report.report_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes, base64url
    assert report.report_token_hash == hash_report_token(token)
    assert token not in report.report_token_hash
    assert check_report_token(report, token) is True
    assert check_report_token(report, token + "x") is False
    assert check_report_token(report, "") is False
    assert check_report_token(report, None) is False
    other = file_report(s, service_code="nid-de-poule", **DOWNTOWN)
    assert other.report_token != token
    assert check_report_token(other, token) is False
    report.report_token_hash = None  # an old report, from before tokens
    assert check_report_token(report, token) is False


def test_only_an_active_service_is_offered(s):
    service = active_service(s, "nid-de-poule")
    assert isinstance(service, ServiceType) and service.code == "nid-de-poule"
    assert active_service(s, "no-such-service") is None
    service.active = False
    s.flush()
    assert active_service(s, "nid-de-poule") is None


def test_a_filed_report_stores_what_was_sent_and_where_it_went(s):
    before = dt.datetime.now(dt.UTC)
    report = file_report(
        s,
        service_code="nid-de-poule",
        description="Trou profond",
        address="Bd Mohammed V",
        phone="06 12 34 56 78",
        lang="ar",
        channel="open311",
        actor="partner:app",
        **DOWNTOWN,
    )
    s.commit()
    after = dt.datetime.now(dt.UTC)
    s.expire_all()
    stored = s.get(ServiceRequest, report.id)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", stored.tracking_code)
    assert (stored.description, stored.address) == ("Trou profond", "Bd Mohammed V")
    assert (stored.lang, stored.channel, stored.status) == ("ar", "open311", "submitted")
    assert stored.service_type.code == "nid-de-poule"
    assert stored.area.code == "sidi-belyout"
    assert stored.department.code == "voirie"
    assert stored.routing_rule_id is not None
    assert "voirie" in stored.routing_reason
    assert stored.contact.phone_e164 == "+212612345678"
    assert stored.supporters_count == 0
    assert (stored.resolved_at, stored.closed_at) == (None, None)
    # the service's SLA (nid-de-poule: 72 hours) from the database clock
    sla = dt.timedelta(hours=72)
    assert before + sla - dt.timedelta(seconds=5) <= stored.expected_at <= after + sla
    [event] = stored.events
    assert (event.kind, event.to_status, event.public, event.actor) == (
        "submitted",
        "submitted",
        True,
        "partner:app",
    )
    assert event.department_id == stored.department_id
    assert (report.lat, report.long) == (DOWNTOWN["lat"], DOWNTOWN["long"])
    [receipt] = s.scalars(select(OutboundMessage).where(OutboundMessage.request_id == report.id))
    assert receipt.kind == "receipt"


def test_the_defaults_of_a_filed_report(s):
    report = file_report(s, service_code="nid-de-poule", **DOWNTOWN)
    assert (report.lang, report.channel, report.contact, report.attributes) == (
        "fr",
        "api",
        None,
        {},
    )
    assert (report.description, report.address) == (None, None)
    assert report.events[0].actor == "resident"
    assert report.known_alert is None
    # what the 201 answer shows, without reading the point back
    assert (report.lat, report.long) == (DOWNTOWN["lat"], DOWNTOWN["long"])


def test_the_attributes_answered_are_stored(s):
    report = file_report(
        s,
        service_code="fuite-eau",
        attributes={"source": "chaussee", "debit": "goutte"},
        **DOWNTOWN,
    )
    s.commit()
    s.expire_all()
    assert s.get(ServiceRequest, report.id).attributes == {"source": "chaussee", "debit": "goutte"}


def test_a_service_added_by_another_process_is_found(s):
    """The process's catalogue copy misses a service added since (by another worker, or
    the admins' console of another process): filing looks once more before refusing."""
    file_report(s, service_code="nid-de-poule", **DOWNTOWN)  # the copy is made
    s.commit()
    engine = db.engine
    with engine.begin() as other:  # another process's transaction, unseen by this one's hooks
        new = other.execute(
            ServiceType.__table__.insert().values(
                code="banc-casse",
                name_fr="Banc cassé",
                name_ar="مقعد مكسور",
                group_fr="Mobilier",
                group_ar="أثاث",
                sla_hours=96,
                keywords="",
                active=True,
                duplicate_radius_m=250,
            )
        ).inserted_primary_key[0]
        voirie = other.scalar(select(Department.id).where(Department.code == "voirie"))
        other.execute(
            RoutingRule.__table__.insert().values(
                service_type_id=new, scope="city", scope_code="", department_id=voirie
            )
        )
    try:
        catalogue(s).loaded_at -= 2  # a copy two seconds old: a miss may reload it
        report = file_report(s, service_code="banc-casse", **DOWNTOWN)
        assert report.service_type_id == new
        assert report.department_id == voirie
    finally:
        s.rollback()
        with engine.begin() as other:
            other.execute(RoutingRule.__table__.delete().where(RoutingRule.service_type_id == new))
            other.execute(ServiceType.__table__.delete().where(ServiceType.id == new))
        forget_catalogue()


def test_one_number_is_one_contact(s):
    first = file_report(s, service_code="nid-de-poule", phone="0612345678", **DOWNTOWN)
    second = file_report(s, service_code="nid-de-poule", phone="+212612345678", **DOWNTOWN)
    assert first.contact is second.contact
    third = file_report(s, service_code="nid-de-poule", phone="0622222222", **DOWNTOWN)
    assert third.contact is not first.contact
    assert count(s, ReporterContact) == 2


def test_an_unknown_service_is_refused_naming_the_catalogue(s):
    with pytest.raises(InvalidReport) as refused:
        file_report(s, service_code="piscine", **DOWNTOWN)
    assert refused.value.errors == {
        "service_code": ["Unknown service code 'piscine'; see GET /api/v1/services."]
    }
    assert refused.value.detail == "The service code is not in the catalogue."
    assert str(refused.value) == "The service code is not in the catalogue."
    assert refused.value.kind == "unknown-service"
    assert count(s, ServiceRequest) == 0


def test_a_bad_phone_and_bad_attributes_are_refused_together(s):
    with pytest.raises(InvalidReport) as refused:
        file_report(
            s,
            service_code="fuite-eau",
            phone="0522123456",  # a landline
            attributes={"source": "volcan"},
            **DOWNTOWN,
        )
    errors = refused.value.errors
    assert set(errors) == {"attributes.source", "phone"} or set(errors) == {"source", "phone"}
    assert errors["phone"] == ["Not a mobile number: status updates are sent by SMS."]
    assert refused.value.detail == f"Invalid fields: {', '.join(sorted(errors))}."
    assert refused.value.kind == "validation"
    with pytest.raises(InvalidReport) as refused:
        file_report(s, service_code="nid-de-poule", phone="hello", **DOWNTOWN)
    assert refused.value.errors == {"phone": ["Not a phone number."]}
    assert refused.value.detail == "Invalid fields: phone."
    assert count(s, ServiceRequest) == 0


def test_a_point_at_sea_is_refused_with_its_distance(app, s):
    lon, lat = just_outside(app, "anfa", 5000)
    with pytest.raises(InvalidReport) as refused:
        file_report(s, service_code="nid-de-poule", lat=lat, long=lon)
    message = (
        "This point is outside Casablanca (about 5.0 km away); "
        "casa311 only takes reports in the city."
    )
    assert refused.value.errors == {"lat": [message], "long": [message]}
    assert refused.value.detail == message
    assert refused.value.kind == "outside-city"


def test_a_point_just_outside_is_taken_when_snapping_allows_it(app, s):
    lon, lat = just_outside(app, "anfa", 150)
    with pytest.raises(InvalidReport):
        file_report(s, service_code="nid-de-poule", lat=lat, long=lon)  # no snapping
    report = file_report(s, service_code="nid-de-poule", lat=lat, long=lon, snap_m=300)
    assert report.area.code == "anfa"


@pytest.mark.usefixtures("anfa_only_service")
def test_a_service_not_handled_at_the_place_is_refused(s, area_points):
    lon, lat = area_points["sidi-moumen"]
    with pytest.raises(InvalidReport) as refused:
        file_report(s, service_code="plage-sale", lat=lat, long=lon)
    assert refused.value.errors == {"service_code": ["plage-sale is not handled at this place."]}
    assert refused.value.detail == "no department handles plage-sale in sidi-moumen"
    assert refused.value.kind == "service-unavailable-here"


def test_submit_commits_and_runs_the_hook_inside_the_transaction(s):
    seen = []
    report = submit_report(
        s,
        before_commit=lambda r: seen.append((r.id is not None, s.registry().in_transaction())),
        service_code="nid-de-poule",
        **DOWNTOWN,
    )
    assert seen == [(True, True)]
    s.rollback()  # nothing left to roll back: it is committed
    assert s.get(ServiceRequest, report.id) is not None


def test_a_clash_is_retried_from_scratch_and_nothing_half_written_stays(s):
    calls = []

    def clash_twice(report):
        calls.append(report.tracking_code)
        if len(calls) < 3:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    report = submit_report(s, before_commit=clash_twice, service_code="nid-de-poule", **DOWNTOWN)
    assert len(calls) == 3
    assert count(s, ServiceRequest) == 1
    assert s.scalar(select(ServiceRequest.tracking_code)) == report.tracking_code


def test_a_clash_every_time_gives_up_after_the_attempts(s):
    calls = []

    def clash(report):
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        submit_report(s, before_commit=clash, service_code="nid-de-poule", **DOWNTOWN)
    assert len(calls) == 3
    with pytest.raises(IntegrityError):
        submit_report(s, attempts=1, before_commit=clash, service_code="nid-de-poule", **DOWNTOWN)
    assert len(calls) == 4
    assert count(s, ServiceRequest) == 0


def test_any_other_failure_is_not_retried_and_leaves_nothing(s):
    calls = []

    def boom(report):
        calls.append(1)
        raise RuntimeError("the photo store is down")

    with pytest.raises(RuntimeError):
        submit_report(
            s, before_commit=boom, service_code="nid-de-poule", phone="0612345678", **DOWNTOWN
        )
    assert calls == [1]
    assert count(s, ServiceRequest) == 0
    assert count(s, ReporterContact) == 0
    with pytest.raises(InvalidReport):
        submit_report(s, service_code="piscine", **DOWNTOWN)
    assert not s.new  # rolled back: nothing pending
