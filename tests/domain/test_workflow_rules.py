"""The status machine and a clerk's or resident's changes, called directly on a real
SpatiaLite session (no HTTP): the rules of citizen_api/domain/workflow.py as its
docstring and the triage guide state them, written out here, not read from the code.

These are the fast tests that `make mutation` runs against the workflow's mutants; the
HTTP behaviour is in tests/triage/."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citizen_api.domain import workflow
from citizen_api.domain.reporting import submit_report
from citizen_api.domain.workflow import (
    IllegalTransition,
    InvalidChange,
    NotPermitted,
    allowed_transitions,
    apply_changes,
    check_transition,
    in_scope,
    is_overdue,
    resident_feedback,
)
from citizen_api.extensions import db
from models import Clerk, Department, OutboundMessage, ServiceRequest
from tests.conftest import rolled_back_session
from tests.helpers import DOWNTOWN
from tests.triage.test_workflow import ALLOWED

DAY = dt.timedelta(days=1)
# The rules as the service charter states them, written out (not the code's TRANSITIONS).
NEXT = ALLOWED
# A path of legal steps from a new report to each status.
PATH = {
    "submitted": [],
    "acknowledged": ["acknowledged"],
    "in_progress": ["acknowledged", "in_progress"],
    "resolved": ["acknowledged", "in_progress", "resolved"],
    "closed": ["acknowledged", "in_progress", "resolved", "closed"],
    "rejected": ["rejected"],
}


@pytest.fixture
def s(app):
    """A session on the seeded database; the reports and staff made here are removed."""
    yield from rolled_back_session(app)
    with app.app_context():
        db.session.execute(Clerk.__table__.delete().where(Clerk.username.like("wf-%")))
        db.session.commit()


def clerk(s, name: str, role: str = "clerk", department: str | None = "voirie", active=True):
    dept = department and s.scalar(select(Department).where(Department.code == department))
    person = Clerk(
        username=f"wf-{name}",
        password_hash="not a password: these accounts never sign in",
        role=role,
        department=dept or None,
        active=active,
    )
    s.add(person)
    s.flush()
    return person


def new_report(s, service_code="nid-de-poule", phone=None) -> ServiceRequest:
    return submit_report(s, service_code=service_code, snap_m=0, phone=phone, **DOWNTOWN)


def walk(s, report, admin, steps, now):
    for status in steps:
        apply_changes(s, report, admin, {"status": status, "public_note": "n"}, now)
    s.commit()


def as_duplicate(s, report, who, code, now, note="x"):
    changes = {"status": "duplicate", "duplicate_of": code, "public_note": note}
    return apply_changes(s, report, who, changes, now)


def messages_about(s, report) -> list[OutboundMessage]:
    return list(
        s.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.request_id == report.id)
            .order_by(OutboundMessage.id)
        )
    )


# --- the transitions ---------------------------------------------------------------


@pytest.mark.parametrize("status", list(PATH))
def test_each_status_may_go_only_where_the_rules_say(s, status):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    now = report.requested_at
    walk(s, report, admin, PATH[status], now)
    assert report.status == status
    assert allowed_transitions(report, now) == NEXT[status]
    for wanted in ("submitted", *NEXT):
        if wanted in NEXT[status]:
            check_transition(report, wanted, now)  # no error
        else:
            with pytest.raises(IllegalTransition) as refused:
                check_transition(report, wanted, now)
            assert refused.value.current == status
            assert refused.value.wanted == wanted
            assert refused.value.allowed == NEXT[status]


def test_the_refusal_names_where_the_report_may_go(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    now = report.requested_at
    with pytest.raises(IllegalTransition) as refused:
        apply_changes(s, report, admin, {"status": "resolved"}, now)
    assert refused.value.detail == (
        "A report that is submitted cannot become resolved; "
        "allowed: acknowledged, rejected, duplicate."
    )
    assert str(refused.value) == refused.value.detail
    walk(s, report, admin, ["rejected"], now)
    with pytest.raises(IllegalTransition) as refused:
        apply_changes(s, report, admin, {"status": "acknowledged"}, now)
    assert refused.value.detail == (
        "A report that is rejected cannot become acknowledged; "
        "allowed: none (the report is closed)."
    )


def test_a_refused_change_changes_nothing_and_records_nothing(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    now = report.requested_at
    before = (report.status, report.priority, len(report.events), report.updated_at)
    with pytest.raises(IllegalTransition):
        apply_changes(
            s, report, admin, {"status": "closed", "priority": "urgent", "internal_note": "x"}, now
        )
    assert (report.status, report.priority, len(report.events), report.updated_at) == before


@pytest.mark.parametrize(
    ("after", "reopens"),
    [
        (dt.timedelta(0), True),
        (29 * DAY, True),
        (30 * DAY, True),  # the window's last moment
        (30 * DAY + dt.timedelta(seconds=1), False),
        (31 * DAY, False),
    ],
)
def test_a_resolved_report_reopens_within_30_days_only(s, after, reopens):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    resolved = report.requested_at
    walk(s, report, admin, PATH["resolved"], resolved)
    now = resolved + after
    assert ("in_progress" in allowed_transitions(report, now)) is reopens
    assert "closed" in allowed_transitions(report, now)  # closing has no window
    if reopens:
        check_transition(report, "in_progress", now)
        return
    with pytest.raises(IllegalTransition) as refused:
        check_transition(report, "in_progress", now)
    assert refused.value.allowed == ["closed"]
    assert refused.value.detail == (
        "The report was resolved more than 30 days ago and can no longer be reopened; "
        "file a new report instead."
    )


def test_a_resolved_report_without_a_resolution_time_may_still_reopen(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    walk(s, report, admin, PATH["resolved"], report.requested_at)
    report.resolved_at = None
    assert allowed_transitions(report, report.requested_at + 400 * DAY) == ["closed", "in_progress"]


def test_late_refusals_of_other_statuses_keep_the_general_wording(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    now = report.requested_at
    walk(s, report, admin, PATH["resolved"], now)
    with pytest.raises(IllegalTransition) as refused:
        check_transition(report, "rejected", now + 40 * DAY)
    assert refused.value.detail.startswith("A report that is resolved cannot become rejected")
    walk(s, report, admin, ["closed"], now)
    with pytest.raises(IllegalTransition) as refused:
        check_transition(report, "in_progress", now)
    assert refused.value.detail == (
        "A report that is closed cannot become in_progress; allowed: none (the report is closed)."
    )


# --- what a status change records --------------------------------------------------


def test_a_status_change_is_one_public_event_and_a_message(s):
    amina = clerk(s, "amina")
    report = new_report(s, phone="0612345678")
    before = len(messages_about(s, report))
    now = report.requested_at + dt.timedelta(hours=2)
    events = apply_changes(s, report, amina, {"status": "acknowledged", "public_note": "Vu"}, now)
    s.commit()
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.public, event.note) == ("status", True, "Vu")
    assert (event.from_status, event.to_status) == ("submitted", "acknowledged")
    assert event.actor == "wf-amina"
    assert event.department_id == report.department_id
    assert event in report.events
    assert report.status == "acknowledged"
    assert report.updated_at == now
    assert (report.resolved_at, report.closed_at) == (None, None)
    sent = messages_about(s, report)
    assert len(sent) == before + 1
    assert sent[-1].kind == "status"
    assert report.tracking_code in sent[-1].body


def test_resolving_then_closing_stamps_each_time(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    t0 = report.requested_at
    walk(s, report, admin, ["acknowledged", "in_progress"], t0)
    apply_changes(s, report, admin, {"status": "resolved"}, t0 + DAY)
    assert report.resolved_at == t0 + DAY
    assert report.closed_at is None
    apply_changes(s, report, admin, {"status": "closed"}, t0 + 2 * DAY)
    assert report.resolved_at == t0 + DAY
    assert report.closed_at == t0 + 2 * DAY


@pytest.mark.parametrize("final", ["rejected", "duplicate"])
def test_rejecting_or_marking_a_duplicate_closes_without_resolving(s, final):
    admin = clerk(s, "root", "admin", None)
    original = new_report(s)
    report = new_report(s)
    now = report.requested_at + DAY
    changes = {"status": final, "public_note": "Déjà signalé"}
    if final == "duplicate":
        changes["duplicate_of"] = original.tracking_code
    apply_changes(s, report, admin, changes, now)
    assert report.status == final
    assert report.closed_at == now
    assert report.resolved_at is None


def test_a_reopened_report_gets_the_sla_afresh_and_loses_its_stamps(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)  # nid-de-poule: 72 hours
    t0 = report.requested_at
    walk(s, report, admin, PATH["resolved"], t0)
    later = t0 + 10 * DAY
    apply_changes(s, report, admin, {"status": "in_progress", "public_note": "Pas fini"}, later)
    assert report.status == "in_progress"
    assert report.expected_at == later + dt.timedelta(hours=72)
    assert report.resolved_at is None
    assert report.closed_at is None


def test_progress_from_acknowledged_keeps_the_deadline(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    deadline = report.expected_at
    walk(s, report, admin, ["acknowledged", "in_progress"], report.requested_at + 5 * DAY)
    assert report.expected_at == deadline


# --- notes, priority, the checks on fields -----------------------------------------


def test_a_public_note_alone_is_a_public_event_and_an_internal_note_is_not(s):
    amina = clerk(s, "amina")
    report = new_report(s, phone="0612345678")
    before = len(messages_about(s, report))
    now = report.requested_at + DAY
    events = apply_changes(
        s, report, amina, {"public_note": "Équipe prévue", "internal_note": "camion 3"}, now
    )
    s.commit()
    assert [(e.kind, e.public, e.note) for e in events] == [
        ("public_note", True, "Équipe prévue"),
        ("internal_note", False, "camion 3"),
    ]
    assert all(e.to_status is None and e.actor == "wf-amina" for e in events)
    assert report.status == "submitted"
    assert report.updated_at == now
    assert len(messages_about(s, report)) == before  # a note alone texts nobody


def test_a_change_that_changes_nothing_records_nothing(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    stamp = report.updated_at
    count = len(report.events)
    events = apply_changes(
        s,
        report,
        amina,
        {"priority": "normal", "public_note": "", "internal_note": ""},
        stamp + DAY,
    )
    assert events == []
    assert len(report.events) == count
    assert report.updated_at == stamp


def test_a_priority_change_is_an_internal_event_saying_from_and_to(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    events = apply_changes(s, report, amina, {"priority": "urgent"}, report.requested_at)
    assert report.priority == "urgent"
    assert [(e.kind, e.public, e.note) for e in events] == [("priority", False, "normal -> urgent")]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"status": "rejected"},
            {"public_note": ["Rejecting a report needs a public reason for the resident."]},
        ),
        (
            {"status": "rejected", "public_note": ""},
            {"public_note": ["Rejecting a report needs a public reason for the resident."]},
        ),
        (
            {"status": "duplicate", "public_note": "x"},
            {"duplicate_of": ["Give the tracking code of the report this one duplicates."]},
        ),
        (
            {"status": "acknowledged", "duplicate_of": "ABCD-2345"},
            {"duplicate_of": ["Only with status 'duplicate'."]},
        ),
        ({"duplicate_of": "ABCD-2345"}, {"duplicate_of": ["Only with status 'duplicate'."]}),
        (
            {"status": "rejected", "duplicate_of": "ABCD-2345"},
            {
                "public_note": ["Rejecting a report needs a public reason for the resident."],
                "duplicate_of": ["Only with status 'duplicate'."],
            },
        ),
    ],
)
def test_fields_wrong_together_are_refused_whole(s, changes, errors):
    amina = clerk(s, "amina")
    report = new_report(s)
    count = len(report.events)
    with pytest.raises(InvalidChange) as refused:
        apply_changes(s, report, amina, {**changes, "internal_note": "x"}, report.requested_at)
    assert refused.value.errors == errors
    assert refused.value.detail == f"Invalid fields: {', '.join(sorted(errors))}."
    assert report.status == "submitted"
    assert len(report.events) == count


def test_a_rejection_with_its_reason_is_accepted(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    events = apply_changes(
        s,
        report,
        amina,
        {"status": "rejected", "public_note": "Hors compétence"},
        report.requested_at,
    )
    assert [(e.kind, e.to_status, e.note) for e in events] == [
        ("status", "rejected", "Hors compétence")
    ]


# --- who may change what -----------------------------------------------------------


def test_the_fields_each_role_may_send(s):
    common = {"status", "public_note", "internal_note", "priority", "assignee", "duplicate_of"}
    expected = {"clerk": common, "supervisor": common | {"department"}}
    expected["admin"] = expected["supervisor"]
    by_role = workflow.FIELDS_BY_ROLE
    assert by_role == expected


def test_a_clerk_may_not_reroute_or_send_unknown_fields(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    with pytest.raises(NotPermitted) as refused:
        apply_changes(
            s, report, amina, {"department": "eclairage", "colour": "red"}, report.requested_at
        )
    assert refused.value.errors == {
        "colour": ["A clerk may not set this field."],
        "department": ["A clerk may not set this field."],
    }
    assert refused.value.detail == "Your role may not change: colour, department."
    assert report.department.code == "voirie"


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_supervisor_or_admin_reroutes_and_the_resident_is_told(s, role):
    boss = clerk(s, "boss", role, "voirie" if role == "supervisor" else None)
    amina = clerk(s, "amina")
    report = new_report(s)
    apply_changes(s, report, amina, {"assignee": "wf-amina"}, report.requested_at)
    now = report.requested_at + DAY
    events = apply_changes(s, report, boss, {"department": "eclairage"}, now)
    assert [(e.kind, e.public, e.note) for e in events] == [
        ("rerouted", True, "voirie -> eclairage")
    ]
    eclairage = s.scalar(select(Department).where(Department.code == "eclairage"))
    assert events[0].department_id == eclairage.id  # the event is the new department's
    assert report.department_id == eclairage.id
    assert report.department.code == "eclairage"
    assert report.routing_rule_id is None
    assert report.routing_reason == "rerouted by wf-boss from voirie to eclairage"
    assert report.assignee is None  # voirie's clerk no longer sees it
    assert report.updated_at == now
    s.commit()
    s.expire_all()
    stored = s.get(ServiceRequest, report.id)
    assert (stored.department.code, stored.assignee_id) == ("eclairage", None)


def test_rerouting_to_the_same_department_records_nothing(s):
    boss = clerk(s, "boss", "supervisor")
    report = new_report(s)
    reason = report.routing_reason
    assert apply_changes(s, report, boss, {"department": "voirie"}, report.requested_at) == []
    assert report.routing_reason == reason
    assert report.routing_rule_id is not None


def test_rerouting_to_an_unknown_department_is_refused(s):
    boss = clerk(s, "boss", "supervisor")
    report = new_report(s)
    with pytest.raises(InvalidChange) as refused:
        apply_changes(s, report, boss, {"department": "nowhere"}, report.requested_at)
    assert refused.value.errors == {"department": ["Unknown department 'nowhere'."]}


def test_a_clerk_takes_a_ticket_and_releases_it(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    now = report.requested_at
    taken = apply_changes(s, report, amina, {"assignee": "wf-amina"}, now)
    assert report.assignee is amina
    assert [(e.kind, e.public, e.note) for e in taken] == [
        ("assignment", False, "assigned to wf-amina")
    ]
    assert apply_changes(s, report, amina, {"assignee": "wf-amina"}, now) == []  # already hers
    released = apply_changes(s, report, amina, {"assignee": None}, now)
    assert report.assignee is None
    assert [(e.kind, e.public, e.note) for e in released] == [("assignment", False, "unassigned")]
    assert apply_changes(s, report, amina, {"assignee": None}, now) == []  # nobody's already


def test_a_clerk_may_neither_give_a_ticket_nor_release_someone_elses(s):
    amina, youssef = clerk(s, "amina"), clerk(s, "youssef")
    report = new_report(s)
    now = report.requested_at
    message = {"assignee": ["A clerk may only take a ticket or release their own."]}
    with pytest.raises(NotPermitted) as refused:
        apply_changes(s, report, amina, {"assignee": "wf-youssef"}, now)
    assert refused.value.errors == message
    apply_changes(s, report, youssef, {"assignee": "wf-youssef"}, now)
    with pytest.raises(NotPermitted) as refused:
        apply_changes(s, report, amina, {"assignee": None}, now)
    assert refused.value.errors == message
    assert report.assignee is youssef


def test_a_supervisor_assigns_only_an_active_clerk_of_the_reports_department(s):
    sara = clerk(s, "sara", "supervisor")
    clerk(s, "youssef")
    clerk(s, "karim", department="eclairage")
    clerk(s, "gone", active=False)
    clerk(s, "root", "admin", None)
    clerk(s, "boss", "admin", "voirie")  # an admin, even of this department, takes no tickets
    report = new_report(s)
    now = report.requested_at
    for name in ("wf-karim", "wf-gone", "wf-root", "wf-boss", "wf-nobody"):
        with pytest.raises(InvalidChange) as refused:
            apply_changes(s, report, sara, {"assignee": name}, now)
        assert refused.value.errors == {
            "assignee": [f"No active clerk of this report's department is named {name!r}."]
        }
        assert report.assignee is None
    events = apply_changes(s, report, sara, {"assignee": " WF-Youssef "}, now)  # as typed
    assert report.assignee.username == "wf-youssef"
    assert [e.note for e in events] == ["assigned to wf-youssef"]
    apply_changes(s, report, sara, {"assignee": None}, now)  # and releases anyone's
    assert report.assignee is None


# --- duplicates --------------------------------------------------------------------


def test_a_duplicate_is_linked_both_ways(s):
    amina = clerk(s, "amina")
    original = new_report(s)
    report = new_report(s)
    now = report.requested_at + DAY
    typed = original.tracking_code.lower().replace("-", " ")  # as a clerk might type it
    events = apply_changes(
        s,
        report,
        amina,
        {"status": "duplicate", "duplicate_of": typed, "public_note": "Déjà signalé"},
        now,
    )
    assert report.duplicate_of is original
    assert [(e.kind, e.to_status, e.public, e.note) for e in events] == [
        ("status", "duplicate", True, "Déjà signalé")  # the resident reads why
    ]
    linked = [e for e in original.events if e.kind == "duplicate_linked"]
    assert len(linked) == 1
    assert linked[0].public is False
    assert linked[0].note == f"{report.tracking_code} was marked a duplicate of this report"
    assert linked[0].actor == "wf-amina"
    assert linked[0].department_id == original.department_id
    assert original.updated_at == now
    assert original.status == "submitted"
    s.commit()
    s.expire_all()
    assert s.get(ServiceRequest, report.id).duplicate_of.tracking_code == original.tracking_code


def test_a_duplicate_must_point_at_a_report_the_clerk_can_see(s):
    amina = clerk(s, "amina")
    report = new_report(s)
    elsewhere = new_report(s, service_code="eclairage-panne")  # eclairage's report
    now = report.requested_at
    for code in ("ZZZZ-ZZZZ", "not a code", elsewhere.tracking_code):
        with pytest.raises(InvalidChange) as refused:
            as_duplicate(s, report, amina, code, now)
        assert refused.value.errors == {
            "duplicate_of": [f"No report you can see has the code {code!r}."]
        }
    with pytest.raises(InvalidChange) as refused:
        as_duplicate(s, report, amina, report.tracking_code, now)
    assert refused.value.errors == {"duplicate_of": ["A report cannot duplicate itself."]}
    assert report.status == "submitted"
    admin = clerk(s, "root", "admin", None)  # an admin sees every department
    as_duplicate(s, report, admin, elsewhere.tracking_code, now)
    assert report.duplicate_of is elsewhere


def test_a_duplicate_of_a_duplicate_is_refused_naming_the_first_report(s):
    amina = clerk(s, "amina")
    first, second, third = new_report(s), new_report(s), new_report(s)
    now = first.requested_at
    as_duplicate(s, second, amina, first.tracking_code, now)
    s.commit()
    with pytest.raises(InvalidChange) as refused:
        as_duplicate(s, third, amina, second.tracking_code, now)
    assert refused.value.errors == {
        "duplicate_of": [f"{second.tracking_code} is itself a duplicate of {first.tracking_code}."]
    }
    second.duplicate_of = None  # its link lost: still refused, without a code to name
    with pytest.raises(InvalidChange) as refused:
        as_duplicate(s, third, amina, second.tracking_code, now)
    assert refused.value.errors == {
        "duplicate_of": [f"{second.tracking_code} is itself a duplicate of another report."]
    }


# --- scope and deadlines -----------------------------------------------------------


def test_a_clerk_sees_their_department_and_an_admin_everything(s):
    amina = clerk(s, "amina")
    karim = clerk(s, "karim", department="eclairage")
    admin = clerk(s, "root", "admin", None)
    road, light = new_report(s), new_report(s, service_code="eclairage-panne")
    assert (in_scope(amina, road), in_scope(amina, light)) == (True, False)
    assert (in_scope(karim, road), in_scope(karim, light)) == (False, True)
    assert (in_scope(admin, road), in_scope(admin, light)) == (True, True)

    def visible(who):
        query = select(ServiceRequest.id).where(workflow.scope(who))
        return set(s.scalars(query))

    assert visible(amina) == {road.id}
    assert visible(karim) == {light.id}
    assert visible(admin) == {road.id, light.id}
    assert s.scalar(select(func.count()).select_from(ServiceRequest)) == 2


def test_overdue_means_open_and_past_its_deadline(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    deadline = report.expected_at
    assert is_overdue(report, deadline - dt.timedelta(seconds=1)) is False
    assert is_overdue(report, deadline) is False
    assert is_overdue(report, deadline + dt.timedelta(seconds=1)) is True
    walk(s, report, admin, ["acknowledged"], report.requested_at)
    assert is_overdue(report, deadline + DAY) is True
    walk(s, report, admin, ["in_progress"], report.requested_at)
    assert is_overdue(report, deadline + DAY) is True
    walk(s, report, admin, ["resolved"], report.requested_at)
    assert is_overdue(report, deadline + DAY) is False
    report.status, report.expected_at = "submitted", None
    assert is_overdue(report, deadline + DAY) is False


# --- the resident's answer to "resolved" -------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        ("confirm", "closed", "resident_confirmed"),
        ("not_fixed", "in_progress", "resident_reopened"),
    ],
)
def test_the_resident_confirms_or_reopens_a_resolved_report(s, action, status, kind):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s, phone="0612345678")
    t0 = report.requested_at
    walk(s, report, admin, PATH["resolved"], t0)
    before = len(messages_about(s, report))
    now = t0 + 3 * DAY
    events = resident_feedback(s, report, action, "Merci", now)
    s.commit()
    assert report.status == status
    assert [(e.kind, e.public, e.actor) for e in events] == [
        (kind, True, "resident"),
        ("resident_comment", False, "resident"),
    ]
    assert (events[0].from_status, events[0].to_status) == ("resolved", status)
    assert events[1].note == "Merci"
    assert report.updated_at == now
    assert len(messages_about(s, report)) == before + 1  # the status change, not the comment
    if status == "in_progress":
        assert report.expected_at == now + dt.timedelta(hours=72)
    else:
        assert report.closed_at == now


def test_the_resident_may_only_answer_a_resolved_report_within_the_window(s):
    admin = clerk(s, "root", "admin", None)
    report = new_report(s)
    t0 = report.requested_at
    for action, wanted in (("confirm", "closed"), ("not_fixed", "in_progress")):
        with pytest.raises(IllegalTransition) as refused:
            resident_feedback(s, report, action, None, t0)
        assert refused.value.detail == (
            "Only a resolved report can be confirmed or reopened; this one is submitted."
        )
        assert (refused.value.current, refused.value.wanted, refused.value.allowed) == (
            "submitted",
            wanted,
            [],
        )
    walk(s, report, admin, PATH["resolved"], t0)
    with pytest.raises(IllegalTransition):
        resident_feedback(s, report, "not_fixed", None, t0 + 31 * DAY)
    assert report.status == "resolved"
    resident_feedback(s, report, "confirm", None, t0 + 31 * DAY)  # confirming has no window
    assert report.status == "closed"


def test_a_comment_alone_is_kept_internal_and_nothing_else_changes(s):
    report = new_report(s)
    stamp = report.updated_at
    assert resident_feedback(s, report, None, "", stamp + DAY) == []
    assert report.updated_at == stamp
    events = resident_feedback(s, report, None, "Toujours là", stamp + DAY)
    assert [(e.kind, e.public, e.note, e.actor) for e in events] == [
        ("resident_comment", False, "Toujours là", "resident")
    ]
    assert report.status == "submitted"
    assert report.updated_at == stamp + DAY
