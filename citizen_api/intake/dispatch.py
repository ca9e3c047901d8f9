"""Every inbound WhatsApp/SMS message, once: a command, or a step of a report in progress.

For one message (Twilio's signed webhook, citizen_api.webhooks) `answer()`:
1. returns the stored answer if this MessageSid was answered already (Twilio retries a
   webhook that failed or timed out): nothing is done twice, the same words come back;
2. fetches the photo, if any, before taking any lock (it may take seconds);
3. serialises the resident's messages: a transaction-scoped advisory lock on the number
   on PostgreSQL; on SQLite the first statement is a write (the answer's row), which takes
   the database's single write lock until commit;
4. records the MessageSid (unique: a duplicate delivered at the same moment waits, then
   finds it), applies the per-number rate limit, and dispatches:
   - a report in progress reads the message as its next answer (intake.conversation),
     except STOP (opt-out, and the report is dropped) and what PASS_THROUGH lists;
   - otherwise a command that notifications.inbound understands (a tracking code, STOP,
     START, HELP, and whatever keywords are added there) goes to it, and any other
     non-empty message starts a report;
5. commits the answer, the conversation and any report filed in ONE transaction. A
   worker killed before the commit leaves nothing: Twilio's retry does it all again,
   once. After the commit, the photo files of a dropped conversation are deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from citizen_api.domain.text import normalise
from citizen_api.intake import texts
from citizen_api.intake.conversation import Message, Talk, discarded_photo_keys
from citizen_api.intake.media import MediaProblem, MediaSource, fetch_photo
from citizen_api.photos.album import discard_keys
from citizen_api.photos.storage import PhotoStorage
from models import Conversation, InboundReply, ReporterContact, utcnow
from notifications import inbound
from notifications.phones import split_address
from notifications.settings import Settings

log = logging.getLogger(__name__)
ATTEMPTS = 3
# Commands notifications.inbound answers even while a report is in progress (the
# conversation is left as it was). Add a new command's name here if it must be too.
PASS_THROUGH = {"status", "subscribe"}


@dataclass
class Intake:
    """What the intake needs from the app, handed in by the web layer."""

    session: Session
    settings: Settings
    storage: PhotoStorage
    snap_m: float
    max_bytes: int
    media: MediaSource
    max_messages: int  # per number, within window_seconds
    window_seconds: int


@dataclass
class Inbound:
    """The fields of Twilio's inbound webhook that the intake reads."""

    sid: str
    sender: str
    body: str
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    media_type: str | None = None  # MediaContentType0, e.g. image/jpeg or audio/ogg


class _Answered(Exception):
    def __init__(self, reply: str | None):
        self.reply = reply


def answer(intake: Intake, message: Inbound) -> str | None:
    """Handle one inbound message and return the answer (None: say nothing)."""
    session = intake.session
    known = _stored(session, message.sid)
    if known is not None:
        return known.reply
    photo = None
    if message.media_url and not (message.media_type or "image/").startswith("image/"):
        photo = MediaProblem("not-image")  # a voice note, a video: not downloaded
    elif message.media_url:
        photo = fetch_photo(intake.media, message.media_url)
    for attempt in range(1, ATTEMPTS + 1):
        stored: list[str] = []
        try:
            reply, discard = _answer_once(intake, message, photo, stored)
            session.commit()
        except _Answered as done:
            session.rollback()
            discard_keys(intake.storage, stored)
            return done.reply
        except (IntegrityError, OperationalError):
            session.rollback()
            discard_keys(intake.storage, stored)
            if attempt == ATTEMPTS:
                raise
            log.info("inbound message: retrying after a clash (attempt %d)", attempt)
            continue
        except BaseException:
            session.rollback()
            discard_keys(intake.storage, stored)
            raise
        discard_keys(intake.storage, discard)
        return reply
    raise AssertionError("unreachable")


def _stored(session: Session, sid: str) -> InboundReply | None:
    return session.scalar(select(InboundReply).where(InboundReply.message_sid == sid))


def lock_resident(session: Session, key: str) -> None:
    """Serialise this resident's messages until the transaction ends (PostgreSQL; on
    SQLite the caller's first write does it)."""
    if session.get_bind().dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def _answer_once(intake: Intake, message: Inbound, photo, stored: list[str]):
    session = intake.session
    channel, e164 = split_address(message.sender)
    lock_resident(session, e164 or message.sender)
    record = InboundReply(message_sid=message.sid)
    session.add(record)
    try:
        session.flush()  # first write: on SQLite, the write lock from here to commit
    except IntegrityError:
        session.rollback()
        known = _stored(session, message.sid)
        if known is None:
            raise
        raise _Answered(known.reply) from None
    contact = None
    if e164:
        contact = session.scalar(select(ReporterContact).where(ReporterContact.phone_e164 == e164))
    now = session.scalar(select(utcnow()))
    if contact is not None:
        record.contact_id = contact.id
        limited = _rate_limited(intake, record, contact, now)
        if limited is not False:
            record.limited, record.reply = True, limited
            return limited, []
    conversation = None
    if contact is not None:
        conversation = session.scalar(
            select(Conversation).where(Conversation.contact_id == contact.id).with_for_update()
        )
    discard: list[str] = []
    notes: list[str] = []
    if conversation is not None and conversation.expires_at <= now:
        notes.append(texts.say(conversation.lang, "expired"))
        discard += discarded_photo_keys(conversation)
        session.delete(conversation)
        session.flush()
        conversation = None

    command = inbound.parse(message.body)
    word = normalise(message.body)
    in_conversation = conversation is not None
    if in_conversation and word not in texts.CANCEL and command.name in ("stop", *PASS_THROUGH):
        reply = inbound.handle(session, intake.settings, message.sid, message.sender, message.body)
        if command.name == "stop":
            discard += discarded_photo_keys(conversation)
            session.delete(conversation)
    elif in_conversation or _starts_report(command, message, photo, e164):
        if contact is None:
            contact = ReporterContact(phone_e164=e164)
            session.add(contact)
            session.flush()
            record.contact_id = contact.id
        if channel == "whatsapp":
            contact.whatsapp_at = utcnow()
        turn = _message(message, photo)
        if conversation is None:
            conversation = Conversation(contact_id=contact.id, step="describe", lang="fr", data={})
            session.add(conversation)
            outcome = Talk(intake, conversation, contact).first(turn)
        else:
            outcome = Talk(intake, conversation, contact).answer(turn)
        conversation.last_message_sid = message.sid
        stored += outcome.stored_keys
        discard += outcome.discard_keys
        reply = outcome.reply
        if outcome.report is not None:
            log.info("report %s filed over WhatsApp", outcome.report.tracking_code)
    else:
        reply = inbound.handle(session, intake.settings, message.sid, message.sender, message.body)
    reply = "\n\n".join(p for p in (*notes, reply) if p) or None
    record.reply = reply
    session.flush()
    return reply, discard


def _starts_report(command, message: Inbound, photo, e164: str | None) -> bool:
    """A message that is not a command starts a report: words, a pin or a photo."""
    if e164 is None or command.name != "unknown":
        return False
    return bool(message.body.strip()) or message.lat is not None or photo is not None


def _message(message: Inbound, photo) -> Message:
    problem = photo.kind if isinstance(photo, MediaProblem) else None
    return Message(
        sid=message.sid,
        body=message.body or "",
        lat=message.lat,
        long=message.long,
        photo=None if problem or photo is None else photo,
        photo_problem=problem,
        help=inbound.parse(message.body).name == "help",
    )


def _rate_limited(intake: Intake, record: InboundReply, contact, now: dt.datetime):
    """False when the message may be acted on; otherwise the answer: a polite word the
    first time in the window, then nothing (None)."""
    since = now - dt.timedelta(seconds=intake.window_seconds)
    rows = intake.session.execute(
        select(InboundReply.limited, func.count())
        .where(
            InboundReply.contact_id == contact.id,
            InboundReply.created_at >= since,
            InboundReply.id != record.id,
        )
        .group_by(InboundReply.limited)
    ).all()
    counts = {bool(limited): n for limited, n in rows}
    if counts.get(False, 0) < intake.max_messages:
        return False
    if counts.get(True, 0):
        return None
    conversation = intake.session.scalar(
        select(Conversation.lang).where(Conversation.contact_id == contact.id)
    )
    return texts.say(conversation or "fr", "slow_down")
