"""Messages residents send us (WhatsApp, or SMS from abroad): what they ask, and the answer.

Understood in French, Arabic, English and plain forms:
- a tracking code, alone or with STATUS / SUIVI / STATUT / ETAT / حالة: its status, since
  when, and the public note;
- STOP, ARRET, ARRÊT, توقف (and Twilio's STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT): no
  message goes to this number any more, for every report, and its alert subscriptions end;
- START, YES, UNSTOP, REPRENDRE, بدء: messages again;
- ALERTE / ALERT / تنبيه followed by area names: that area's alerts (notifications.subscribers);
- HELP, INFO, AIDE, مساعدة: a short help; anything else gets the same help.
Answers come in the sender's language: the one their words are in, else their report's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import InboundMessage, ReporterContact, RequestEvent, ServiceRequest, utcnow
from notifications import texts
from notifications.phones import split_address
from notifications.settings import Settings
from notifications.subscribers import end_subscriptions, keyword, subscribe_by_keyword

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
IN_TEXT = re.compile(
    rf"(?<![A-Z0-9])([{TRACKING_ALPHABET}]{{4}})[\s\-]?([{TRACKING_ALPHABET}]{{4}})(?![A-Z0-9])"
)

WORDS = {
    "stop": {
        "fr": {"ARRET", "ARRETER", "DESABONNER"},
        "en": {"STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"},
        "ar": {"توقف", "قف", "إيقاف", "ايقاف"},
        None: {"STOP"},
    },
    "start": {
        "fr": {"REPRENDRE", "OUI"},
        "en": {"YES", "UNSTOP"},
        "ar": {"بدء", "ابدأ"},
        None: {"START"},
    },
    "help": {
        "fr": {"AIDE"},
        "en": {"HELP"},
        "ar": {"مساعدة"},
        None: {"INFO"},
    },
    "status": {
        "fr": {"SUIVI", "STATUT", "ETAT"},
        "en": {"STATUS", "TRACK"},
        "ar": {"حالة", "الحالة", "تتبع"},
        None: set(),
    },
}
ARABIC = re.compile(r"[\u0600-\u06ff]")


@dataclass
class Command:
    name: str  # status, stop, start, help, subscribe, unknown
    lang: str | None  # the language the words are in, if they say
    code: str | None = None
    text: str | None = None  # subscribe: the area names after the keyword


def _plain(text: str) -> str:
    """Upper case without accents (ARRÊT -> ARRET); Arabic is left as written."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) or ARABIC.match(c))
    return unicodedata.normalize("NFC", stripped).upper()


def parse(body: str) -> Command:
    alert = keyword(body)
    if alert:
        return Command("subscribe", alert[0], text=alert[1])
    text = _plain(body or "").strip()
    tokens = [t for t in re.split(r"[\s.,;:!?؟،\-]+", text) if t]
    lang = "ar" if ARABIC.search(text) else None
    found: dict[str, str | None] = {}
    for token in tokens:
        for command, by_lang in WORDS.items():
            for word_lang, words in by_lang.items():
                if token in words and command not in found:
                    found[command] = word_lang
    code_match = IN_TEXT.search(text)
    code = f"{code_match.group(1)}-{code_match.group(2)}" if code_match else None
    for command in ("stop", "start", "help"):
        # A bare keyword (or one with a polite word around it), not a sentence.
        if command in found and not code and len(tokens) <= 3:
            return Command(command, lang or found[command])
    if code:
        return Command("status", lang or found.get("status"), code)
    return Command("unknown", lang or next((v for v in found.values() if v), None))


def handle(session: Session, settings: Settings, message_sid: str, sender: str, body: str):
    """Act on one inbound message and return the reply text, or None when this MessageSid
    was already handled (Twilio retries webhooks): nothing is done or said twice."""
    channel, e164 = split_address(sender)
    command = parse(body)
    contact = None
    if e164:
        contact = session.scalar(select(ReporterContact).where(ReporterContact.phone_e164 == e164))
    report = None
    if command.code:
        report = session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == command.code)
        )
    lang = command.lang or (report.lang if report else None) or _contact_lang(session, contact)

    record = InboundMessage(
        message_sid=message_sid,
        channel=channel,
        contact_id=contact.id if contact else None,
        request_id=report.id if report else None,
        command=command.name,
        lang=lang,
    )
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        return None  # this MessageSid was handled already

    if command.name == "subscribe" and contact is None and e164:
        contact = ReporterContact(phone_e164=e164)  # a resident with no report yet
        session.add(contact)
        session.flush()
        record.contact_id = contact.id
    if contact is not None and channel == "whatsapp":
        contact.whatsapp_at = utcnow()
    if command.name == "subscribe":
        if contact is None:
            return texts.fixed(lang, "help")
        return subscribe_by_keyword(session, contact, lang, command.text or "", channel)
    if command.name == "stop":
        if contact is not None:
            contact.opted_out_at = utcnow()
            end_subscriptions(session, contact.id)
        return texts.fixed(lang, "stop")
    if command.name == "start":
        if contact is not None:
            contact.opted_out_at = None
        return texts.fixed(lang, "start")
    if command.name == "status":
        if report is None:
            return texts.fixed(lang, "unknown_code", code=command.code)
        return _status_reply(session, settings, report, lang)
    return texts.fixed(lang, "help")


def _status_reply(session: Session, settings: Settings, report: ServiceRequest, lang: str) -> str:
    last = session.scalar(
        select(RequestEvent)
        .where(
            RequestEvent.request_id == report.id,
            RequestEvent.public.is_(True),
            RequestEvent.to_status.is_not(None),
        )
        .order_by(RequestEvent.id.desc())
        .limit(1)
    )
    since = last.created_at if last else report.requested_at
    note = last.note if last else None
    url = settings.report_url(report.tracking_code)
    return texts.status_reply(lang, report.tracking_code, report.status, since, note, url)


def _contact_lang(session: Session, contact: ReporterContact | None) -> str:
    if contact is None:
        return "fr"
    lang = session.scalar(
        select(ServiceRequest.lang)
        .where(ServiceRequest.contact_id == contact.id)
        .order_by(ServiceRequest.id.desc())
        .limit(1)
    )
    return lang or "fr"
