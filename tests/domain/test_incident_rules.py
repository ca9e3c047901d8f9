"""Incidents (citizen_api/domain/incidents.py) called directly on SpatiaLite: an incident
is its clerk's department's (only an admin names another), its SLA clock is the longest
of its services' and every linked report takes it, reports are attached by their codes or
as "the open reports of these services inside the area", and an alert's incident is one
per alert and department. The HTTP behaviour is in tests/triage/test_incidents.py; these
are the fast tests `make mutation` runs. Expected values are written out here."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citizen_api.domain.alerts import publish
from citizen_api.domain.incidents import (
    IncidentInvalid,
    attach,
    create_incident,
    incident_scope,
    link_to_alert,
    linked_ids,
)
from citizen_api.domain.reporting import file_report
from citizen_api.extensions import db
from models import Clerk, Department, Incident, RequestEvent, ServiceRequest
from tests.alerts.conftest import water_cut
from tests.conftest import rolled_back_session
from tests.helpers import square

MAARIF = {"lat": 33.5790, "long": -7.6400}
ANFA = {"lat": 33.5900, "long": -7.6700}
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def s(app):
    yield from rolled_back_session(app)
    with app.app_context():
        db.session.execute(Clerk.__table__.delete().where(Clerk.username.like("inc-%")))
        db.session.commit()


def department_id(s, code: str) -> int:
    return s.scalar(select(Department.id).where(Department.code == code))


def clerk(s, name: str, role: str = "clerk", department: str | None = "voirie") -> Clerk:
    dept = department and s.scalar(select(Department).where(Department.code == department))
    person = Clerk(
        username=f"inc-{name}",
        password_hash="not a password: these accounts never sign in",
        role=role,
        department=dept or None,
    )
    s.add(person)
    s.flush()
    return person


def report(s, where=MAARIF, service="nid-de-poule") -> ServiceRequest:
    answers = {"source": "chaussee"} if service == "fuite-eau" else None
    filed = file_report(s, service_code=service, snap_m=0, attributes=answers, **where)
    s.flush()
    return filed


def due(s, r: ServiceRequest):
    s.expire(r)
    return s.get(ServiceRequest, r.id).expected_at


def refused(call) -> dict:
    with pytest.raises(IncidentInvalid) as raised:
        call()
    return raised.value.errors


def as_utc(value):
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- the department ------------------------------------------------------------------


def test_a_clerks_incident_is_their_departments_even_when_they_name_it(s):
    amina = clerk(s, "amina")
    plain = create_incident(s, amina, {"title": "Trous", "services": ["nid-de-poule"]}, NOW)
    named = create_incident(
        s, amina, {"title": "Trous", "services": ["nid-de-poule"], "department": "voirie"}, NOW
    )
    assert plain.department_id == named.department_id == department_id(s, "voirie")
    assert plain.created_by == "inc-amina"


def test_only_an_admin_names_another_department(s):
    amina = clerk(s, "amina")
    data = {"title": "Lampes", "services": ["nid-de-poule"], "department": "eclairage"}
    assert refused(lambda: create_incident(s, amina, data, NOW)) == {
        "department": ["Only an administrator chooses the department."]
    }
    root = clerk(s, "root", "admin", None)
    chosen = create_incident(s, root, data, NOW)
    assert chosen.department_id == department_id(s, "eclairage")


@pytest.mark.parametrize("code", [None, "", "atlantide"])
def test_an_admin_must_name_a_known_department(s, code):
    root = clerk(s, "root", "admin", None)
    data = {"title": "Trous", "services": ["nid-de-poule"]}
    if code is not None:
        data["department"] = code
    assert refused(lambda: create_incident(s, root, data, NOW)) == {
        "department": ["An administrator names the department (a code)."]
    }


def test_a_clerk_sees_their_departments_incidents_an_admin_all(s):
    amina, root = clerk(s, "amina"), clerk(s, "root", "admin", None)
    lights = clerk(s, "lina", department="eclairage")
    mine = create_incident(s, amina, {"title": "A", "services": ["nid-de-poule"]}, NOW)
    theirs = create_incident(s, lights, {"title": "B", "services": ["eclairage-panne"]}, NOW)
    wanted = (mine.id, theirs.id)

    def seen(who):
        query = select(Incident.id).where(incident_scope(who), Incident.id.in_(wanted))
        return sorted(s.scalars(query))

    assert seen(amina) == [mine.id]
    assert seen(lights) == [theirs.id]
    assert seen(root) == sorted(wanted)


# --- what a new incident is ----------------------------------------------------------


def test_the_sla_clock_is_the_longest_of_its_services(s):
    amina = clerk(s, "amina")
    # A pothole is due in 72 hours, a broken pavement in 168 (the catalogue's charter).
    data = {"title": "Bd Zerktouni", "services": ["trottoir-degrade", "nid-de-poule"]}
    incident = create_incident(s, amina, data, NOW)
    assert as_utc(incident.expected_at) == NOW + 168 * HOUR
    assert incident.service_codes == ["nid-de-poule", "trottoir-degrade"]


def test_an_incident_without_services_has_no_clock(s):
    amina = clerk(s, "amina")
    incident = create_incident(s, amina, {"title": "Inondation", "areas": ["maarif"]}, NOW)
    assert incident.expected_at is None
    assert incident.service_codes == []
    assert incident.area_codes == ["maarif"]


def test_unknown_areas_services_and_a_bad_polygon_are_refused_together(s):
    amina = clerk(s, "amina")
    data = {
        "title": "x",
        "areas": ["atlantis", "maarif", "nowhere"],
        "services": ["teleportation", "nid-de-poule", "licorne"],
        "polygon": {"type": "Point", "coordinates": [-7.64, 33.579]},
    }
    errors = refused(lambda: create_incident(s, amina, data, NOW))
    assert sorted(errors) == ["areas", "polygon", "services"]
    assert errors["areas"] == ["Unknown area(s) atlantis, nowhere."]
    assert errors["services"] == ["Unknown service code(s) teleportation, licorne."]
    assert len(errors["polygon"]) == 1 and "GeoJSON Polygon" in str(errors["polygon"][0])


def test_a_bad_polygon_alone_is_refused(s):
    amina = clerk(s, "amina")
    data = {"title": "x", "services": ["nid-de-poule"], "polygon": {"type": "Polygon"}}
    errors = refused(lambda: create_incident(s, amina, data, NOW))
    assert list(errors) == ["polygon"] and len(errors["polygon"]) == 1


# --- attaching reports ---------------------------------------------------------------


def test_codes_attach_as_typed_and_each_report_gets_one_internal_event(s):
    first, second = report(s), report(s)
    before = {r.id: r.version for r in (first, second)}
    amina = clerk(s, "amina")
    typed = [first.tracking_code.lower(), " " + second.tracking_code.replace("-", " ") + " "]
    incident = create_incident(
        s,
        amina,
        {"title": "Chaussée effondrée", "services": ["nid-de-poule"], "attach": {"codes": typed}},
        NOW,
    )
    assert sorted(linked_ids(s, incident)) == sorted([first.id, second.id])
    for r in (first, second):
        events = s.scalars(
            select(RequestEvent).where(
                RequestEvent.request_id == r.id, RequestEvent.kind == "incident"
            )
        ).all()
        assert [(e.public, e.actor, e.note, e.department_id) for e in events] == [
            (
                False,
                "clerk:inc-amina",
                f"Linked to incident #{incident.id}: Chaussée effondrée",
                department_id(s, "voirie"),
            )
        ]
        # One SLA clock: 72 hours from the incident's creation, and the report's version
        # moves on by one (an ETag read before is stale).
        assert as_utc(due(s, r)) == NOW + 72 * HOUR
        assert s.get(ServiceRequest, r.id).version == before[r.id] + 1


def test_codes_that_match_no_open_report_of_the_department_are_named_as_typed(s):
    mine = report(s)
    lights = report(s, service="eclairage-panne")  # the eclairage department's
    amina = clerk(s, "amina")
    incident = create_incident(s, amina, {"title": "T", "services": ["nid-de-poule"]}, NOW)
    typed = [mine.tracking_code, lights.tracking_code.lower(), "ZZZZ-ZZZZ"]
    assert refused(lambda: attach(s, amina, incident, {"codes": typed}, NOW)) == {
        "attach.codes": [
            "No open report of your department, not yet in an incident, has the code(s) "
            f"{lights.tracking_code.lower()}, ZZZZ-ZZZZ."
        ]
    }
    assert linked_ids(s, incident) == []


def test_a_report_already_linked_is_not_linked_again(s):
    r = report(s)
    amina = clerk(s, "amina")
    one = create_incident(s, amina, {"title": "1", "attach": {"codes": [r.tracking_code]}}, NOW)
    two = create_incident(s, amina, {"title": "2", "services": ["nid-de-poule"]}, NOW)
    assert linked_ids(s, one) == [r.id]
    errors = refused(lambda: attach(s, amina, two, {"codes": [r.tracking_code]}, NOW))
    assert list(errors) == ["attach.codes"]


def test_by_area_only_the_open_reports_of_its_services_there(s):
    # Both are the water department's: a leak and a blocked sewer.
    here = report(s, service="fuite-eau")
    elsewhere = report(s, ANFA, service="fuite-eau")
    sewer = report(s, service="egout-bouche")
    water = clerk(s, "wafa", department="eau-assainissement")
    incident = create_incident(
        s, water, {"title": "Maârif", "areas": ["maarif"], "services": ["fuite-eau"]}, NOW
    )
    assert attach(s, water, incident, {"area": True}, NOW) == 1
    assert linked_ids(s, incident) == [here.id]
    assert elsewhere.id not in linked_ids(s, incident)
    assert sewer.id not in linked_ids(s, incident)
    # Nothing more to link: none linked, and it says so.
    assert attach(s, water, incident, {"area": True}, NOW) == 0


def test_by_polygon_only_the_reports_inside_it(s):
    inside = report(s)
    outside = report(s, ANFA)
    amina = clerk(s, "amina")
    drawn = square(MAARIF["long"] - 0.002, MAARIF["lat"] - 0.002)
    incident = create_incident(
        s, amina, {"title": "Carré", "polygon": drawn, "services": ["nid-de-poule"]}, NOW
    )
    assert attach(s, amina, incident, {"area": True}, NOW) == 1
    assert linked_ids(s, incident) == [inside.id]
    assert outside.id not in linked_ids(s, incident)


def test_by_area_needs_services_and_a_place(s):
    amina = clerk(s, "amina")
    placeless = create_incident(s, amina, {"title": "x", "services": ["nid-de-poule"]}, NOW)
    assert refused(lambda: attach(s, amina, placeless, {"area": True}, NOW)) == {
        "areas": ["Name areas or draw a polygon to link reports."]
    }
    serviceless = create_incident(s, amina, {"title": "x", "areas": ["maarif"]}, NOW)
    assert refused(lambda: attach(s, amina, serviceless, {"area": True}, NOW)) == {
        "services": ["Name the services whose open reports to link."]
    }


# --- an alert's incident ---------------------------------------------------------------


def published(s, **overrides):
    data = water_cut(**overrides)
    data["starts_at"] = NOW - HOUR
    data["ends_at"] = NOW + 10 * HOUR
    return publish(s, "sup", data, NOW)


def test_an_alerts_incident_is_one_per_alert_and_department(s):
    cut = published(s)
    other = published(s, headline={"ar": "انقطاع", "en": "Another cut"})
    water = [report(s, service="fuite-eau") for _ in range(2)]
    pothole = report(s)  # voirie: another department
    first = link_to_alert(s, water[0], cut)
    assert link_to_alert(s, water[1], cut).id == first.id
    s.flush()
    assert sorted(linked_ids(s, first)) == sorted(r.id for r in water)
    elsewhere = link_to_alert(s, pothole, cut)
    s.flush()
    assert elsewhere.id != first.id
    assert elsewhere.department_id == department_id(s, "voirie")
    assert (first.title, first.area_codes, first.service_codes, first.polygon) == (
        "Coupure d'eau à Maârif",
        ["maarif"],
        ["fuite-eau"],
        None,
    )
    assert first.created_by == f"alert:{cut.id}" and first.alert_id == cut.id
    assert as_utc(water[0].expected_at) == NOW + 10 * HOUR
    # Another alert, same department: its own incident, titled by its first headline.
    third = link_to_alert(s, report(s, service="fuite-eau"), other)
    assert third.id != first.id and third.title == "انقطاع"


def test_an_alerts_incident_is_titled_in_french_whatever_the_order(s):
    cut = published(s, headline={"en": "Water cut", "ar": "انقطاع", "fr": "Coupure d'eau"})
    incident = link_to_alert(s, report(s, service="fuite-eau"), cut)
    assert incident.title == "Coupure d'eau"


def test_an_alerts_incident_keeps_its_polygon_and_a_title_of_200_characters(s):
    drawn = square(MAARIF["long"] - 0.002, MAARIF["lat"] - 0.002)
    cut = published(s, areas=None, polygon=drawn, headline={"fr": "É" * 250, "en": "cut"})
    incident = link_to_alert(s, report(s, service="fuite-eau"), cut)
    assert incident.polygon == drawn and incident.area_codes == []
    assert incident.title == "É" * 200
