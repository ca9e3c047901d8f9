"""Filing a report on PostgreSQL in one statement: the report, its first event, its
statistics and its receipt in the outbox are written by data-modifying CTEs, and what
the database decides (ids, times) comes back by RETURNING in the same round trip. With a
phone number, the contact is found or added first (one more statement, which also counts
the messages sent to it and the SMS the city sent in the last 24 hours, for the
outbox's two caps). When a live alert explains the report, the caller links it to the
alert's incident afterwards (citizen_api.domain.incidents.link_to_alert), and the report
is due when the alert ends.

The ORM's unit of work did the same in ten round trips: each INSERT on its own, the
statistics hook's SELECT of columns it could not know, the outbox's look-ups. The rows
are then handed to the session as already stored (nothing is flushed again), so what
follows in the transaction (photos, the answer, its Idempotency-Key record) sees the
same objects as before. SQLite has no data-modifying CTEs: it keeps the ORM path
(citizen_api.domain.reporting), which the tests check gives the same rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, bindparam, text
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import Alert, ReporterContact, RequestEvent, ServiceRequest
from notifications.outbox import receipt_fields
from notifications.runtime import remember, settings_for

CONTACT = text(
    """
    INSERT INTO reporter_contacts AS c (phone_e164, created_at) VALUES (:phone, now())
    ON CONFLICT (phone_e164) DO UPDATE SET phone_e164 = excluded.phone_e164
    RETURNING c.id, c.created_at, c.opted_out_at, c.whatsapp_at,
      (SELECT count(*) FROM outbound_messages m WHERE m.contact_id = c.id
         AND m.created_at >= now() - make_interval(hours => 24)
         AND m.state <> 'skipped') AS sent_today,
      CASE WHEN :sms THEN (SELECT count(*) FROM outbound_messages m WHERE m.channel = 'sms'
         AND m.state NOT IN ('skipped', 'deferred')
         AND CASE WHEN m.released_at IS NULL THEN m.created_at ELSE m.released_at END
           >= now() - make_interval(hours => 24)) ELSE 0 END AS city_sms
    """
)
# The report's first contribution to stats_monthly (models.stats): it is open.
FILE = text(
    """
    WITH report AS (
      INSERT INTO service_requests (tracking_code, report_token_hash, service_type_id,
        status, geom, description, address, attributes, lang, channel, area_id,
        department_id, routing_rule_id, routing_reason, contact_id, requested_at,
        updated_at, expected_at, priority, version, supporters_count, verified_supporters,
        description_hidden)
      VALUES (:tracking_code, :report_token_hash, :service_type_id, 'submitted',
        ST_SetSRID(ST_MakePoint(:long, :lat), 4326), :description, :address, :attributes,
        :lang, :channel, :area_id, :department_id, :routing_rule_id, :routing_reason,
        :contact_id, now(), now(),
        coalesce(:expected_at, now() + make_interval(hours => :sla_hours)),
        'normal', 1, 0, 0, false)
      RETURNING id, requested_at, updated_at, expected_at
    ), event AS (
      INSERT INTO request_events (request_id, kind, to_status, public, actor, created_at,
        department_id)
      SELECT id, 'submitted', 'submitted', true, :actor, now(), :department_id FROM report
      RETURNING id, created_at
    ), stats AS (
      INSERT INTO stats_monthly AS s (month, area_id, service_type_id, reports, open,
        resolved, resolved_within_sla)
      SELECT to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM'), :area_id,
        :service_type_id, 1, 1, 0, 0 FROM report
      ON CONFLICT (month, area_id, service_type_id)
      DO UPDATE SET reports = s.reports + 1, open = s.open + 1
      RETURNING 1
    ), receipt AS (
      INSERT INTO outbound_messages (dedupe_key, request_id, contact_id, kind, channel,
        lang, body, segments, state, attempts, next_attempt_at, uncertain, last_error,
        created_at, updated_at)
      SELECT 'receipt:' || id, id, :contact_id, 'receipt', :m_channel, :lang, :m_body,
        :m_segments, :m_state, 0, now(), false, :m_reason, now(), now()
      FROM report WHERE :receipt
      RETURNING id
    )
    SELECT report.id, report.requested_at, report.updated_at, report.expected_at,
      event.id AS event_id, event.created_at AS event_at,
      (SELECT id FROM receipt) AS message_id, (SELECT count(*) FROM stats) AS cells
    FROM report, event
    """
).bindparams(bindparam("attributes", type_=JSON), bindparam("expected_at", type_=DateTime(True)))
NO_RECEIPT = {
    "m_channel": None,
    "m_body": None,
    "m_segments": None,
    "m_state": None,
    "m_reason": None,
    "receipt": False,
}


def _contact(session: Session, e164: str) -> tuple[ReporterContact, tuple[int, int]]:
    """The contact with this number (added if new) as a persistent object, and how many
    messages it was sent and SMS the city sent in the last 24 hours (the latter only
    counted when SMS is configured)."""
    sms = settings_for(session).sms
    row = session.execute(CONTACT, {"phone": e164, "sms": sms}).one()
    contact = session.identity_map.get(session.identity_key(ReporterContact, row.id))
    if contact is None:
        contact = ReporterContact(
            id=row.id,
            phone_e164=e164,
            created_at=row.created_at,
            opted_out_at=row.opted_out_at,
            whatsapp_at=row.whatsapp_at,
        )
        _adopt(session, contact)
    return contact, (row.sent_today, row.city_sms)


def _adopt(session: Session, obj) -> None:
    """Attach a row just written by a statement as if the session had loaded it."""
    make_transient_to_detached(obj)
    session.add(obj)


def insert_report(
    session: Session,
    values: dict,
    event: dict,
    e164: str | None,
    where: tuple[float, float, int | dt.datetime | None],
    alert: Alert | None = None,
) -> ServiceRequest:
    """Write the report of `values` (ServiceRequest columns), its first event (`event`:
    RequestEvent columns), its statistics and, with a phone number, its contact and
    receipt (the "known problem" one when `alert` explains it); return the report,
    persistent in `session`. `where`: (lat, long, when it is due: hours from now, or a
    time)."""
    lat, long, due = where
    contact, counts = _contact(session, e164) if e164 else (None, (0, 0))
    report = ServiceRequest(**values, contact_id=contact.id if contact else None)
    params = {
        **values,
        "contact_id": report.contact_id,
        "sla_hours": None if isinstance(due, dt.datetime) else due,
        "expected_at": due if isinstance(due, dt.datetime) else None,
        "lat": lat,
        "long": long,
        "actor": event["actor"],
    }
    receipt = receipt_fields(session, report, contact, counts, alert) if contact else None
    if receipt:
        params.update({f"m_{k}": v for k, v in receipt.items()}, receipt=True)
    else:
        params.update(NO_RECEIPT)
    row = session.execute(FILE, params).one()
    for name in ("id", "requested_at", "updated_at", "expected_at"):
        setattr(report, name, getattr(row, name))
    report.resolved_at = report.closed_at = report.assignee_id = report.duplicate_of_id = None
    first = RequestEvent(
        **event,
        id=row.event_id,
        request_id=row.id,
        created_at=row.event_at,
        from_status=None,
        note=None,
    )
    _adopt(session, report)
    _adopt(session, first)
    set_committed_value(report, "events", [first])
    set_committed_value(report, "photos", [])
    set_committed_value(report, "contact", contact)
    set_committed_value(first, "request", report)
    set_committed_value(report, "lat", lat)
    set_committed_value(report, "long", long)
    if row.message_id is not None and receipt["state"] == "pending":
        remember(session, row.message_id)
    return report
