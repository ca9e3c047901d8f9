"""Schemas of the triage endpoints, named by role."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.domain.moderation import MAX_NOTE as MAX_MODERATION_NOTE
from citizen_api.domain.moderation import REASONS, TARGETS
from citizen_api.reports.schemas import PhotoOut, RequestQueryArgs, ServiceRequestOut
from citizen_api.web.fields import CommaList
from models import PRIORITIES, STATUSES

SORTS = ("-requested", "due", "priority")
MAX_NOTE = 4000


class TriageQueryArgs(RequestQueryArgs):
    """The resident filters, plus the internal ones; always within the caller's scope."""

    assignee = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "`me`, `none` (unassigned) or a clerk's username"},
    )
    priority = CommaList(choices=PRIORITIES)
    overdue = fields.Boolean(
        metadata={"description": "true: open tickets past their due time only"}
    )
    sort = fields.String(validate=validate.OneOf(SORTS), load_default="-requested")
    incident = fields.String(
        validate=validate.Regexp(r"^(none|any|\d{1,18})$"),
        load_default="none",
        metadata={
            "description": "`none` (default): tickets not grouped in an incident (those are "
            "answered through it); `any`: all; an incident id: that incident's tickets"
        },
    )


class TriageUpdateIn(Schema):
    """Changes to a ticket; each one is recorded as its own event. Which fields a role
    may send: clerk - all but `department`; supervisor and admin - all."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    public_note = fields.String(
        validate=validate.Length(1, MAX_NOTE),
        metadata={"description": "Shown to the resident; required to reject."},
    )
    internal_note = fields.String(
        validate=validate.Length(1, MAX_NOTE), metadata={"description": "Staff only."}
    )
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    effective_priority = fields.String(
        validate=validate.OneOf(PRIORITIES),
        metadata={"description": 'The priority raised by residents\' support ("me too")'},
    )
    assignee = fields.String(
        allow_none=True,
        validate=validate.Length(1, 64),
        metadata={"description": "A clerk's username, or null to unassign"},
    )
    department = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "Send the ticket to another department (supervisor, admin)"},
    )
    duplicate_of = fields.String(
        validate=validate.Length(1, 20),
        metadata={"description": "With status `duplicate`: the original's tracking code"},
    )

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.", "_body")


class StaffPhotoOut(PhotoOut):
    """A photo as clerks see it: hidden ones too (their URLs need the bearer token)."""

    id = fields.Integer(metadata={"description": "The photo's id, for moderation"})
    hidden = fields.Boolean(metadata={"description": "Hidden from the public by moderation"})


class QueueItemOut(ServiceRequestOut):
    """A ticket in the queue: the public fields plus the internal ones."""

    description_hidden = fields.Boolean(
        metadata={"description": "The description is hidden from the public by moderation"}
    )
    photos = fields.List(fields.Nested(StaffPhotoOut))

    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    effective_priority = fields.String(
        validate=validate.OneOf(PRIORITIES),
        metadata={"description": 'The priority raised by residents\' support ("me too")'},
    )
    assignee = fields.String(allow_none=True, metadata={"description": "A clerk's username"})
    overdue = fields.Boolean()
    duplicate_of = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class QueuePage(Schema):
    items = fields.List(fields.Nested(QueueItemOut))
    next_cursor = fields.String(allow_none=True)


class EventOut(Schema):
    kind = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    public = fields.Boolean()
    note = fields.String(allow_none=True)
    actor = fields.String(metadata={"description": "A clerk's username, or `resident`"})
    department = fields.String(allow_none=True)
    at = fields.DateTime()
    data = fields.Dict(
        allow_none=True,
        metadata={"description": 'The event\'s facts, e.g. {"assignee": "amina"}'},
    )


class ModerationIn(Schema):
    """Hide the description or one photo from every public view, or (supervisors and
    admins) show it again. Recorded in the ticket's history with its reason (internal)."""

    target = fields.String(required=True, validate=validate.OneOf(TARGETS))
    photo = fields.Integer(
        strict=True,
        validate=validate.Range(1, 2**53),
        metadata={"description": "With target `photo`: the photo's `id` from the ticket"},
    )
    hidden = fields.Boolean(
        required=True, metadata={"description": "true: hide it; false: show it again"}
    )
    reason = fields.String(
        validate=validate.OneOf(REASONS),
        metadata={"description": "Required to hide; `other` needs a `note`"},
    )
    note = fields.String(
        validate=validate.Length(1, MAX_MODERATION_NOTE),
        metadata={"description": "Why, in a few words (staff only)"},
    )

    @validates_schema
    def _photo_for_photo(self, data, **kwargs):
        if data.get("target") == "photo" and "photo" not in data:
            raise ValidationError("Give the photo's id (from the ticket's photos).", "photo")
        if data.get("target") == "description" and "photo" in data:
            raise ValidationError("Only with target 'photo'.", "photo")
        if data.get("hidden") and "reason" not in data:
            raise ValidationError(f"Say why: one of {', '.join(REASONS)}.", "reason")


class MessageOut(Schema):
    """An SMS or WhatsApp message about the ticket, as the outbox knows it."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "receipt, status or reply"})
    channel = fields.String(metadata={"description": "sms, whatsapp or console"})
    state = fields.String(
        metadata={"description": "pending, sent, delivered, undelivered, failed, dead or skipped"}
    )
    attempts = fields.Integer()
    to = fields.String(allow_none=True, metadata={"description": "Masked; null once erased"})
    segments = fields.Integer(allow_none=True)
    error_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class NearbyTicketOut(Schema):
    """An open report of the same type close by: perhaps a duplicate."""

    tracking_code = fields.String()
    status = fields.String()
    distance_m = fields.Float()
    requested_at = fields.DateTime()
    supporters = fields.Integer()


class TicketOut(QueueItemOut):
    """The full internal view of a ticket."""

    attributes = fields.Dict()
    channel = fields.String()
    routing_reason = fields.String()
    reporter_phone = fields.String(
        allow_none=True, metadata={"description": "Masked, e.g. +212 6•• ••• •78"}
    )
    duplicates = fields.List(fields.String())
    allowed_transitions = fields.List(fields.String())
    events = fields.List(fields.Nested(EventOut))
    messages = fields.List(fields.Nested(MessageOut))
    nearby = fields.List(fields.Nested(NearbyTicketOut))


class StatusSummaryOut(Schema):
    status = fields.String()
    count = fields.Integer()
    overdue = fields.Integer()
    median_age_hours = fields.Float(metadata={"description": "Time since filing"})


class IncidentSummaryOut(Schema):
    status = fields.String()
    count = fields.Integer(metadata={"description": "Incidents in this status"})
    overdue = fields.Integer(metadata={"description": "Of those, past their own due time"})
    tickets = fields.Integer(metadata={"description": "Tickets they group"})


class DepartmentSummaryOut(Schema):
    code = fields.String()
    name = fields.String()
    total = fields.Integer(metadata={"description": "Tickets in no incident"})
    overdue = fields.Integer(metadata={"description": "Tickets in no incident, overdue"})
    statuses = fields.List(
        fields.Nested(StatusSummaryOut),
        metadata={"description": "Tickets in no incident, by status (as the queue lists them)"},
    )
    grouped_tickets = fields.Integer(
        metadata={"description": "Tickets grouped into incidents: counted there, not above"}
    )
    incidents = fields.List(
        fields.Nested(IncidentSummaryOut),
        metadata={"description": "The incidents, each counted once, by status"},
    )


class SmsBudgetOut(Schema):
    sms_last_24h = fields.Integer(metadata={"description": "SMS sent or queued, city-wide"})
    city_daily_sms_cap = fields.Integer()
    stopped_by_city_cap = fields.Integer(metadata={"description": "Skipped: city cap"})
    per_number_daily_cap = fields.Integer()
    stopped_by_per_number_cap = fields.Integer()


class SummaryOut(Schema):
    generated_at = fields.DateTime()
    departments = fields.List(fields.Nested(DepartmentSummaryOut))
    sms = fields.Nested(
        SmsBudgetOut, metadata={"description": "Supervisors and admins only: the SMS caps"}
    )
