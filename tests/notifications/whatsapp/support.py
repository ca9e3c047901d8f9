"""A resident on WhatsApp: each message a signed Twilio webhook, each answer read back
from the TwiML as the resident's phone would show it."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

from sqlalchemy import select

from citizen_api.extensions import db
from models import Conversation, ServiceRequest
from tests.notifications.support import signed_post

WHATSAPP_TO = "whatsapp:+14155238886"
# A point in Sidi Belyout (downtown) and one in the Atlantic, 40 km out.
DOWNTOWN = (33.5925, -7.6191)
AT_SEA = (33.80, -8.00)


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


def twiml_text(response) -> str:
    """The text of the answer ('' when casa311 said nothing)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    return "\n".join(m.text or "" for m in root.iter("Message"))


class Resident:
    def __init__(self, client, phone: str = "+212612345678"):
        self.client, self.phone = client, phone
        self.sender = "whatsapp:" + phone

    def params(
        self,
        body: str = "",
        sid: str | None = None,
        pin=None,
        media: str | None = None,
        media_type: str = "image/jpeg",
    ):
        params = {
            "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0123456789abcdef" * 2,
            "From": self.sender,
            "To": WHATSAPP_TO,
            "Body": body,
            "NumMedia": "1" if media else "0",
        }
        if pin:
            params.update(Latitude=str(pin[0]), Longitude=str(pin[1]))
        if media:
            params.update(MediaUrl0=media, MediaContentType0=media_type)
        return params

    def post(self, params: dict):
        return signed_post(self.client, "/webhooks/twilio/inbound", params)

    def says(self, body: str = "", **kwargs) -> str:
        """Send a message; return casa311's answer."""
        return twiml_text(self.post(self.params(body, **kwargs)))


def conversation_of(app, phone: str = "+212612345678") -> Conversation | None:
    from models import ReporterContact

    with app.app_context():
        db.session.expire_all()
        found = db.session.scalar(
            select(Conversation)
            .join(ReporterContact, ReporterContact.id == Conversation.contact_id)
            .where(ReporterContact.phone_e164 == phone)
        )
        if found is not None:
            db.session.expunge(found)
        return found


def reports(app) -> list[ServiceRequest]:
    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)).all()
        for row in rows:
            _ = row.contact, row.photos, row.service_type
        db.session.expunge_all()
        return rows


def choice(menu: str, name: str) -> str:
    """The number in front of `name` in a numbered menu, as the resident would read it."""
    for line in menu.splitlines():
        number, _, label = line.partition(". ")
        if number.strip().isdigit() and label.strip() == name:
            return number.strip()
    raise AssertionError(f"{name!r} is not in the menu:\n{menu}")


def pick_service(resident: Resident, menu: str, name: str) -> str:
    """Answer a service menu with the service named `name`, through the full list
    (0) when the three suggestions do not have it. Returns the next question."""
    if f". {name}\n" not in menu + "\n":
        menu = resident.says("0")
    return resident.says(choice(menu, name))
