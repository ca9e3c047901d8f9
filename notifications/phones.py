"""Phone numbers as messages see them: masked for logs and clerks, and Twilio's
addresses (`whatsapp:+212...`) split into channel and E.164."""

from __future__ import annotations

import phonenumbers


def mask(e164: str) -> str:
    """A number as clerks may see it: country, first digit and last two (+212 6•• ••• •78)."""
    number = phonenumbers.parse(e164)
    national = str(number.national_number)
    hidden = "•" * (len(national) - 3)
    body = national[0] + hidden + national[-2:]
    groups = [body[:3], body[3:6], body[6:]]
    return f"+{number.country_code} " + " ".join(g for g in groups if g)


def split_address(address: str) -> tuple[str, str | None]:
    """('whatsapp' or 'sms', E.164 or None) for a Twilio From/To address."""
    channel, _, number = address.strip().rpartition(":")
    channel = "whatsapp" if channel.lower() == "whatsapp" else "sms"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return channel, None
    if not phonenumbers.is_possible_number(parsed):
        return channel, None
    return channel, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
