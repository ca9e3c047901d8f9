"""Reporters' phone numbers: parsed in Morocco's region, stored as E.164, masked for show."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from notifications.phones import mask

__all__ = ["InvalidPhone", "mask", "parse_mobile"]

MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class InvalidPhone(ValueError):
    pass


def parse_mobile(raw: str) -> str:
    """E.164 for a number that can receive SMS, in any usual Moroccan or international form.

    ``0612345678``, ``06 12 34 56 78``, ``+212 6-12-34-56-78`` and ``00212612345678`` all
    give ``+212612345678``. Fixed lines (``05...``) cannot get SMS and are refused.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "MA")
    except NumberParseException as exc:
        raise InvalidPhone("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("Not a valid phone number; use a form such as 0612345678.")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidPhone("Not a mobile number: status updates are sent by SMS.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
