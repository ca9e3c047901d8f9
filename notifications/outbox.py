"""The outbox: messages to residents written in the caller's transaction, one per cause.

Call these from the domain, with the session whose transaction records the cause:
- `enqueue_receipt(session, report)` when a report is filed (citizen_api.domain.reporting does);
- `enqueue_status_update(session, report, event)` when a public status event is added
  (the triage workflow does).
Each row has a unique dedupe key, so calling twice for one cause writes one row. Rows are
sent by Celery after the commit (notifications.dispatch); `messages_for_report` is what
the triage view shows of them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Alert, OutboundMessage, ReporterContact, RequestEvent, ServiceRequest, utcnow
from notifications import texts
from notifications.phones import mask
from notifications.runtime import remember, settings_for
from notifications.settings import Settings


def enqueue_receipt(
    session: Session, report: ServiceRequest, alert: Alert | None = None
) -> OutboundMessage | None:
    """The receipt with the tracking code, for a report filed with a phone number; when a
    live `alert` explains the report, it says the problem is known and until when."""
    settings = settings_for(session)
    body = _receipt_body(settings, report, alert)
    return _enqueue(session, settings, report, "receipt", f"receipt:{report.id}", body)


def receipt_fields(
    session: Session,
    report: ServiceRequest,
    contact: ReporterContact,
    counts: tuple[int, int],
    alert: Alert | None = None,
) -> dict:
    """The receipt of a report being filed, as the columns a single statement writes
    (channel, body, segments, state, reason): what enqueue_receipt would store, for a
    report not flushed yet. `counts`: messages sent to `contact` and SMS sent by the
    whole city in the last 24 hours (the two caps)."""
    settings = settings_for(session)
    body = _receipt_body(settings, report, alert)
    channel = choose_channel(settings, contact, report)
    state, reason = _state(settings, contact, channel, lambda: counts[0], lambda: counts[1])
    return {
        "channel": channel,
        "body": body,
        "segments": texts.segments(body),
        "state": state,
        "reason": reason,
    }


def _receipt_body(settings: Settings, report: ServiceRequest, alert: Alert | None) -> str:
    code = report.tracking_code
    url = settings.report_url(code)
    if alert is None:
        return texts.receipt(report.lang, code, url)
    headline = alert.headline.get(report.lang) or alert.headline.get("fr", "")
    return texts.known_receipt(report.lang, code, url, headline, alert.ends_at)


def _state(
    settings: Settings, contact: ReporterContact, channel: str, sent_today, city_sms
) -> tuple[str, str | None]:
    """A new message's state and why: skipped for an opted-out number, one at its daily
    cap, or an SMS past the city's daily SMS cap, else pending. `sent_today()` and
    `city_sms()` count; each is only asked when it matters."""
    if contact.opted_out_at is not None:
        return "skipped", "opted out (STOP)"
    if sent_today() >= settings.notify_daily_cap:
        return "skipped", f"daily cap of {settings.notify_daily_cap} messages reached"
    if channel == "sms" and city_sms() >= settings.notify_city_daily_sms_cap:
        return "skipped", CITY_CAP_REASON
    return "pending", None


def enqueue_status_update(
    session: Session, report: ServiceRequest, event: RequestEvent
) -> list[OutboundMessage]:
    """The message(s) telling the reporter about a public status change, with its public
    note. Internal events and events that change no status send nothing."""
    if not event.public or not event.to_status or event.to_status == event.from_status:
        return []
    if event.id is None:
        session.flush()
    settings = settings_for(session)
    # A duplicate points the resident to the original, which is the one followed now.
    original = report.duplicate_of if event.to_status == "duplicate" else None
    followed = original.tracking_code if original is not None else report.tracking_code
    body = texts.status_update(
        report.lang,
        report.tracking_code,
        event.to_status,
        event.note,
        settings.report_url(followed),
        original.tracking_code if original is not None else None,
    )
    message = _enqueue(session, settings, report, "status", f"status:{event.id}", body, event)
    return [message] if message else []


def _enqueue(
    session: Session,
    settings: Settings,
    report: ServiceRequest,
    kind: str,
    key: str,
    body: str,
    event: RequestEvent | None = None,
) -> OutboundMessage | None:
    contact = report.contact
    if contact is None:
        return None
    existing = session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))
    if existing is not None:
        return existing
    if report.id is None:
        session.flush()
    channel = choose_channel(settings, contact, report)
    state, reason = _state(
        settings,
        contact,
        channel,
        lambda: _sent_today(session, contact) if contact.id is not None else 0,
        lambda: sms_last_24h(session),
    )
    message = OutboundMessage(
        dedupe_key=key,
        request_id=report.id,
        event_id=event.id if event is not None else None,
        contact=contact,
        kind=kind,
        channel=channel,
        lang=report.lang,
        body=body,
        segments=texts.segments(body),
        state=state,
        last_error=reason,
    )
    session.add(message)
    session.flush()
    if state == "pending":
        remember(session, message.id)
    return message


CITY_CAP_REASON = "city-wide daily SMS cap reached"


def sms_last_24h(session: Session) -> int:
    """SMS the city sent (or has queued) in the last 24 hours. A deferred escalation
    (notifications.staff) does not count while it waits, and counts from its release."""
    sms, since = OutboundMessage.channel == "sms", utcnow(-24)
    counted = OutboundMessage.state.not_in(("skipped", "deferred"))
    filed = (
        select(func.count(OutboundMessage.id))
        .where(sms, OutboundMessage.created_at >= since, counted)
        .where(OutboundMessage.released_at.is_(None))
        .scalar_subquery()
    )
    released = (
        select(func.count(OutboundMessage.id))
        .where(sms, OutboundMessage.released_at >= since, counted)
        .scalar_subquery()
    )
    return session.scalar(select(filed + released))


def sms_budget(session: Session, settings: Settings) -> dict:
    """What supervisors see of the SMS caps: the city's use and cap over the last 24
    hours, the per-number cap, and how many messages each cap stopped."""
    skipped = dict(
        session.execute(
            select(OutboundMessage.last_error, func.count(OutboundMessage.id))
            .where(
                OutboundMessage.created_at >= utcnow(-24),
                OutboundMessage.state == "skipped",
                OutboundMessage.last_error.like("%cap%"),
            )
            .group_by(OutboundMessage.last_error)
        ).all()
    )
    city = skipped.pop(CITY_CAP_REASON, 0)
    return {
        "sms_last_24h": sms_last_24h(session),
        "city_daily_sms_cap": settings.notify_city_daily_sms_cap,
        "stopped_by_city_cap": city,
        "per_number_daily_cap": settings.notify_daily_cap,
        "stopped_by_per_number_cap": sum(skipped.values()),
    }


def _sent_today(session: Session, contact: ReporterContact) -> int:
    return session.scalar(
        select(func.count(OutboundMessage.id)).where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.created_at >= utcnow(-24),
            OutboundMessage.state != "skipped",
        )
    )


# WhatsApp lets a business write freely only within 24 hours of the resident's last
# message; later it takes a pre-approved template (not built), so updates go by SMS.
WHATSAPP_SESSION = dt.timedelta(hours=24)


def in_whatsapp_session(contact: ReporterContact, now: dt.datetime | None = None) -> bool:
    """True while the resident's last WhatsApp message is less than 24 hours old."""
    if contact.whatsapp_at is None:
        return False
    return (now or dt.datetime.now(dt.UTC)) - contact.whatsapp_at < WHATSAPP_SESSION


def choose_channel(settings: Settings, contact: ReporterContact, report: ServiceRequest) -> str:
    """WhatsApp while the resident's WhatsApp session is open, else the default channel,
    else the other configured one, else the console."""
    configured = {"sms": settings.sms, "whatsapp": settings.whatsapp}
    if configured["whatsapp"] and in_whatsapp_session(contact):
        return "whatsapp"
    default = settings.notify_default_channel
    if configured.get(default):
        return default
    for name, ok in configured.items():
        if ok:
            return name
    return "console"


def messages_for_report(session: Session, report_id: int) -> list[dict]:
    """What clerks see of a report's messages on its triage view, oldest first: kind,
    channel, state, attempts, the number masked, and the last error. Never a full number."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.request_id == report_id)
        .order_by(OutboundMessage.id)
    ).all()
    return [
        {
            "id": m.id,
            "kind": m.kind,
            "channel": m.channel,
            "state": m.state,
            "attempts": m.attempts,
            "to": mask(m.contact.phone_e164) if m.contact else None,
            "segments": m.segments,
            "error_code": m.error_code,
            "last_error": m.last_error,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
            "updated_at": m.updated_at,
        }
        for m in rows
    ]
