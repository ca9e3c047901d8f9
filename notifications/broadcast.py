"""Broadcasting an alert: one message per subscriber of its areas, queued in the outbox by
one set-based statement (INSERT ... SELECT), in each subscriber's language.

- One message per number and alert version: a number subscribed to three covered areas
  gets one; the dedupe key `alert:<id>.<version>:<contact>` with ON CONFLICT DO NOTHING
  makes a second call for the same version write nothing.
- The channel is chosen in SQL: a WhatsApp subscriber inside their 24-hour window gets a
  free-form WhatsApp message; outside it, the approved Content template for their
  language (ContentSid + ContentVariables), as WhatsApp requires; with no template for
  the language (or a subscriber by SMS), an SMS. Opted-out numbers get nothing.
- The rows commit with the alert; after the commit a drain task sends them in batches
  (notifications.dispatch: claims with leases, so a worker killed mid-broadcast loses
  nothing and sends nothing twice).
"""

from __future__ import annotations

import json

from sqlalchemy import String, and_, case, cast, false, func, literal, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from models import Alert, AlertSubscription, OutboundMessage, ReporterContact, utcnow
from models.i18n import LANGUAGES
from notifications import texts
from notifications.alert_texts import alert_parts, render
from notifications.runtime import remember_drain, settings_for

BROADCAST_TIMEOUT_MS = 120_000


def queue_alert(session: Session, alert: Alert, area_ids: list[int], msg_type: str) -> int:
    """Queue this version of the alert for every active subscriber of `area_ids`; how many
    messages were written (0 for a version already queued)."""
    if not area_ids:
        return 0
    settings = settings_for(session)
    parts = {
        lang: alert_parts(lang, msg_type, alert.headline, alert.description, alert.ends_at)
        for lang in LANGUAGES
    }
    bodies = {lang: render(*p) for lang, p in parts.items()}

    sub = aliased(AlertSubscription)
    contact = ReporterContact
    # One subscription per number (the oldest), whichever covered areas it has.
    chosen = (
        select(func.min(AlertSubscription.id).label("sub_id"))
        .where(AlertSubscription.state == "active", AlertSubscription.area_id.in_(area_ids))
        .group_by(AlertSubscription.contact_id)
        .subquery()
    )

    def by_lang(values: dict, else_=None):
        return case(*((sub.lang == lang, literal(v)) for lang, v in values.items()), else_=else_)

    templates = {lang: s for lang, s in settings.alert_templates.items() if lang in LANGUAGES}
    fallback = "sms" if settings.sms else "console"
    if settings.whatsapp:
        in_window = and_(contact.whatsapp_at.is_not(None), contact.whatsapp_at > utcnow(-24))
        wants_whatsapp = sub.channel == "whatsapp"
        templated = (
            and_(wants_whatsapp, ~in_window, sub.lang.in_(list(templates)))
            if templates
            else false()
        )
        channel = case(
            (and_(wants_whatsapp, in_window), literal("whatsapp")),
            (templated, literal("whatsapp")),
            else_=literal(fallback),
        )
        variables = {
            lang: json.dumps({"1": parts[lang][0], "2": parts[lang][1] or "-"}, ensure_ascii=False)
            for lang in templates
        }
        if templates:
            content_sid = case((templated, by_lang(templates)), else_=None)
            content_variables = case((templated, by_lang(variables)), else_=None)
        else:  # no approved template: a CASE with no branch is not SQL
            content_sid = content_variables = None
    else:
        channel, content_sid, content_variables = literal(fallback), None, None

    prefix = f"alert:{alert.id}.{alert.version}:"
    query = (
        select(
            literal(prefix) + cast(contact.id, String),
            literal(alert.id),
            contact.id,
            literal("alert"),
            channel,
            sub.lang,
            by_lang(bodies, literal(bodies["fr"])),
            by_lang({lang: texts.segments(b) for lang, b in bodies.items()}, literal(1)),
            literal("pending"),
            literal(0),
            literal(False),
            utcnow(),
            utcnow(),
            utcnow(),
            cast(content_sid, String) if content_sid is not None else literal(None, String),
            cast(content_variables, String)
            if content_variables is not None
            else literal(None, String),
        )
        .select_from(chosen)
        .join(sub, sub.id == chosen.c.sub_id)
        .join(contact, contact.id == sub.contact_id)
        .where(contact.opted_out_at.is_(None), true())
    )
    columns = [
        "dedupe_key",
        "alert_id",
        "contact_id",
        "kind",
        "channel",
        "lang",
        "body",
        "segments",
        "state",
        "attempts",
        "uncertain",
        "next_attempt_at",
        "created_at",
        "updated_at",
        "content_sid",
        "content_variables",
    ]
    on_postgres = session.get_bind().dialect.name == "postgresql"
    if on_postgres:
        # 100,000 rows can outlast the app's per-statement timeout (STATEMENT_TIMEOUT_MS,
        # 5 s) on a loaded machine: give this transaction's broadcast its own bound.
        session.execute(text(f"SET LOCAL statement_timeout = {BROADCAST_TIMEOUT_MS}"))
    dialect = postgresql if on_postgres else sqlite
    statement = (
        dialect.insert(OutboundMessage.__table__)
        .from_select(columns, query)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .execution_options(preserve_rowcount=True)  # SQLAlchemy drops an INSERT's otherwise
    )
    written = session.execute(statement).rowcount
    if written:
        remember_drain(session)
    return written
