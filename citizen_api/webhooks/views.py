"""POST /webhooks/twilio/inbound and /webhooks/twilio/status.

Each request must carry a valid X-Twilio-Signature for the public URL Twilio called
(PUBLIC_BASE_URL + path), computed over the form fields; otherwise 403 and nothing is
read. Replies to inbound messages are TwiML (text/xml).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from notifications import inbound
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
    """Answer a resident's message (status, STOP, START, HELP) with TwiML."""
    _require_signature()
    settings = notifier_of(current_app).settings
    message_sid = request.form.get("MessageSid", "")
    sender = request.form.get("From", "")
    if not message_sid or not sender:
        abort(400)
    reply = inbound.handle(db.session, settings, message_sid, sender, request.form.get("Body", ""))
    db.session.commit()
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(str(twiml), mimetype="text/xml")


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
