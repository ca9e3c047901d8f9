"""Small pieces with many cases: tracking codes, phone numbers, log masking."""

from __future__ import annotations

import logging
import re

import pytest

from citizen_api.domain.phones import InvalidPhone, mask, parse_mobile
from citizen_api.domain.tracking import new_code, normalize
from citizen_api.web.logs import PhoneMaskingFilter, mask_phones
from notifications.phones import split_address

# Digits and capitals without the look-alikes 0/O, 1/I/L and U: 30 characters.
CODE_CHARACTERS = set("23456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_tracking_codes_avoid_look_alikes():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", c) for c in codes)
    # 16,000 characters drawn: every one of the 30 shows up, and nothing else does.
    assert set("".join(codes).replace("-", "")) == CODE_CHARACTERS


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("k7qm-4rzp", "K7QM-4RZP"),
        ("K7QM4RZP", "K7QM-4RZP"),
        (" k7qm 4rzp ", "K7QM-4RZP"),
        ("K7QM-4RZ0", None),
        ("K7QM-4RZ", None),
        ("", None),
        ("K7QM-4RZPP", None),
    ],
)
def test_typed_codes_normalize(typed, canonical):
    assert normalize(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+212612345678",
        "00212612345678",
        "+212 (0)6 12 34 56 78",
        "0712345678",
    ],
)
def test_moroccan_mobiles_in_any_usual_form(typed):
    assert parse_mobile(typed) in ("+212612345678", "+212712345678")


def test_a_foreign_mobile_is_accepted():
    assert parse_mobile("+33 6 12 34 56 78") == "+33612345678"


NOT_A_NUMBER = "Not a phone number."
NOT_VALID = "Not a valid phone number; use a form such as 0612345678."
NOT_MOBILE = "Not a mobile number: status updates are sent by SMS."


@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("0522123456", NOT_MOBILE),
        ("05 22 12 34 56", NOT_MOBILE),
        ("12", NOT_VALID),
        ("abc", NOT_A_NUMBER),
        ("+2126", NOT_A_NUMBER),
        ("", NOT_A_NUMBER),
    ],
)
def test_fixed_lines_and_garbage_are_refused_saying_why(typed, told):
    # The message is what the resident reads next to the field (422 errors.phone).
    with pytest.raises(InvalidPhone) as refused:
        parse_mobile(typed)
    assert str(refused.value) == told


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+212612345678", "+212 6•• ••• •78"),
        ("+33612345678", "+33 6•• ••• •78"),
        ("+14155238886", "+1 4•• ••• ••86"),
    ],
)
def test_masked_phone_keeps_only_what_a_clerk_needs(e164, shown):
    assert mask(e164) == shown


@pytest.mark.parametrize(
    ("address", "split"),
    [
        ("+212612345678", ("sms", "+212612345678")),  # Twilio's From for an SMS
        ("whatsapp:+212612345678", ("whatsapp", "+212612345678")),
        ("WhatsApp:+212612345678", ("whatsapp", "+212612345678")),
        (" whatsapp:+33612345678 ", ("whatsapp", "+33612345678")),
        ("whatsapp:hello", ("whatsapp", None)),
        ("+2126", ("sms", None)),
    ],
)
def test_twilio_addresses_split_into_channel_and_number(address, split):
    assert split_address(address) == split


# Each usual way a Moroccan mobile is written, and what a log line must show instead:
# every digit hidden but the last two (the expected text is written out, not computed).
PHONE_LINES = [
    ("sent to +212612345678", "sent to ••••••••••78"),
    ("from 0612345678 today", "from ••••••••78 today"),
    ("call 06 12 34 56 78", "call ••••••••78"),
    ("call 06.12.34.56.78 now", "call ••••••••78 now"),
    ("call 06-12-34-56-79 now", "call ••••••••79 now"),
    ("tel:+212-612-345-678", "tel:••••••••••78"),
    ("intl 00212612345678", "intl ••••••••••••78"),
    ("national 612345678.", "national •••••••78."),
    ("two: 0612345678, 0711223344", "two: ••••••••78, ••••••••44"),
]


@pytest.mark.parametrize(("line", "expected"), PHONE_LINES)
def test_log_lines_never_carry_a_phone(line, expected):
    assert mask_phones(line) == expected


@pytest.mark.parametrize(("line", "expected"), PHONE_LINES)
def test_the_logging_filter_masks_every_form(caplog, line, expected):
    logger = logging.getLogger("casa311.test.mask")
    masking = PhoneMaskingFilter()
    logger.addFilter(masking)
    try:
        with caplog.at_level(logging.INFO, logger="casa311.test.mask"):
            logger.info("worker: %s", line)  # the number arrives as an argument
    finally:
        logger.removeFilter(masking)
    assert [r.getMessage() for r in caplog.records] == ["worker: " + expected]
    assert "345" not in caplog.text


@pytest.mark.parametrize(
    "line",
    ["report 42 took 1500 ms", "ids 12345678 and 2026-12-01", "K7QM-4RZP at 33.5925,-7.6191"],
)
def test_masking_leaves_ordinary_numbers_alone(line):
    # Up to eight digits in a row is a count, an id or a date, not a phone number.
    assert mask_phones(line) == line
