"""Logging that never writes a phone number: every record passes a masking filter."""

from __future__ import annotations

import logging
import re

# A run of 9+ digits, optionally with a leading + and spaces, dots or dashes inside:
# wide enough for E.164 and the usual Moroccan spellings (06 12 34 56 78, +212-6...).
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?\d){8,14}(?![\w])")


def mask_phones(text: str) -> str:
    """Replace every phone-number-like run with a mask that keeps its last two digits."""

    def _mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "•" * (len(digits) - 2) + digits[-2:]

    return _PHONE.sub(_mask, text)


class PhoneMaskingFilter(logging.Filter):
    """Rewrites each record's message with phone numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, PhoneMaskingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(PhoneMaskingFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
