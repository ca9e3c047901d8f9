"""Small pieces with many cases: tracking codes, phone numbers, log masking."""

from __future__ import annotations

import logging

import pytest

from citizen_api.domain.phones import InvalidPhone, mask, parse_mobile
from citizen_api.domain.tracking import ALPHABET, new_code, normalize
from citizen_api.web.logs import PhoneMaskingFilter, mask_phones


def test_tracking_codes_avoid_look_alikes():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    joined = "".join(codes).replace("-", "")
    assert not set("01ILOU") & set(joined)
    assert set(joined) <= set(ALPHABET)


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


@pytest.mark.parametrize("typed", ["0522123456", "05 22 12 34 56", "12", "abc", "+2126"])
def test_fixed_lines_and_garbage_are_refused(typed):
    with pytest.raises(InvalidPhone):
        parse_mobile(typed)


def test_masked_phone_keeps_only_what_a_clerk_needs():
    assert mask("+212612345678") == "+212 6•• ••• •78"


@pytest.mark.parametrize(
    "line",
    [
        "sent to +212612345678",
        "from 0612345678 today",
        "call 06 12 34 56 78",
        "tel:+212-612-345-678",
    ],
)
def test_log_lines_never_carry_a_phone(line):
    masked = mask_phones(line)
    digits = "".join(c for c in masked if c.isdigit())
    assert ("12345" not in digits and masked.endswith(line[-2:])) or "78" in masked


def test_the_logging_filter_masks_arguments(caplog):
    logger = logging.getLogger("casa311.test")
    logger.addFilter(PhoneMaskingFilter())
    with caplog.at_level(logging.INFO, logger="casa311.test"):
        logger.info("sms to %s failed", "+212612345678")
    assert "612345678" not in caplog.text and "78" in caplog.text


def test_masking_leaves_ordinary_numbers_alone():
    assert mask_phones("report 42 took 1500 ms") == "report 42 took 1500 ms"
