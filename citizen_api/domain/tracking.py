"""Tracking codes: the one public identifier of a report (URLs, SMS, Open311).

Eight random characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), shown
as two groups of four: ``K7QM-4RZP``. 30^8 ≈ 6.6e11 codes, so guessing one is hopeless
and they reveal nothing about volume or order. Input is forgiving: case, spaces and the
hyphen are ignored, and the look-alikes a person may type (O, 0, I, 1, L) are refused.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
PATTERN = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
# How a code may appear inside free text (an SMS or WhatsApp message).
IN_TEXT = re.compile(rf"(?<![A-Z0-9])([{ALPHABET}]{{4}})[\s\-]?([{ALPHABET}]{{4}})(?![A-Z0-9])")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize(text: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be one."""
    compact = re.sub(r"[\s\-]", "", text or "").upper()
    if len(compact) != LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return f"{compact[:4]}-{compact[4:]}"
