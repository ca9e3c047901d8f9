"""POST /webhooks/twilio/inbound and /webhooks/twilio/status.

Each request must carry a valid X-Twilio-Signature for the public URL Twilio called
(PUBLIC_BASE_URL + path), computed over the form fields; otherwise 403 and nothing is
read. Replies to inbound messages are TwiML (text/xml); what they say is decided by
citizen_api.intake.dispatch (a command, or the next step of a report filed over WhatsApp).
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from citizen_api.extensions import db
from citizen_api.intake.dispatch import Inbound, Intake, answer
from citizen_api.intake.media import MediaSource
from citizen_api.notify import notifier_of
from citizen_api.photos.upload import storage
from notifications.delivery import record_status

blp = Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio")
log = logging.getLogger(__name__)


def _require_signature() -> None:
    settings = notifier_of(current_app).settings
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.twilio_auth_token or not signature:
        abort(403)
    url = settings.public_base_url + request.full_path.rstrip("?")
    if not RequestValidator(settings.twilio_auth_token).validate(url, request.form, signature):
        log.warning("refused a Twilio webhook with a bad signature on %s", request.path)
        abort(403)


@blp.post("/inbound")
def inbound_message():
    """Answer a resident's message with TwiML: a command (status, STOP, START, HELP) or
    the next step of a report filed in a WhatsApp conversation."""
    _require_signature()
    form = request.form
    message_sid = form.get("MessageSid", "")
    sender = form.get("From", "")
    if not message_sid or not sender:
        abort(400)
    message = Inbound(
        sid=message_sid,
        sender=sender,
        body=form.get("Body", ""),
        lat=_coordinate(form.get("Latitude"), 90),
        long=_coordinate(form.get("Longitude"), 180),
        media_url=form.get("MediaUrl0") if _count(form.get("NumMedia")) else None,
        media_type=form.get("MediaContentType0"),
    )
    reply = answer(_intake(), message)
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(str(twiml), mimetype="text/xml")


def _intake() -> Intake:
    config = current_app.config
    settings = notifier_of(current_app).settings
    return Intake(
        session=db.session,
        settings=settings,
        storage=storage(),
        snap_m=config["AREA_SNAP_METERS"],
        max_bytes=config["PHOTO_MAX_BYTES"],
        media=MediaSource(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            config["TWILIO_MEDIA_BASE_URL"],
            config["WHATSAPP_MEDIA_TIMEOUT_SECONDS"],
            config["PHOTO_MAX_BYTES"],
        ),
        max_messages=config["WHATSAPP_MAX_MESSAGES"],
        window_seconds=config["WHATSAPP_WINDOW_SECONDS"],
    )


def _coordinate(raw: str | None, limit: float) -> float | None:
    """A pin's coordinate, or None when absent or not a finite number in range."""
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and abs(value) <= limit else None


def _count(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


@blp.post("/status")
def status_callback():
    """Record a delivery report; states only move forward, repeats change nothing."""
    _require_signature()
    record_status(
        db.session,
        request.form.get("MessageSid", ""),
        request.form.get("MessageStatus", ""),
        request.form.get("ErrorCode"),
    )
    db.session.commit()
    return Response(status=204)
