"""What counts as text casa311 can keep and show again, and what the public may see of it.

A client's string may hold things no answer can carry later: a NUL (PostgreSQL cannot
store it in text), or a lone UTF-16 surrogate such as ``"\\ud800"`` (valid in a JSON
escape, but not a character: nothing can encode it as UTF-8, so a stored one would make
every later answer that shows it fail). And a JSON body may be nested so deep that
walking it exhausts the stack. `unusable_text` finds all three in parsed data, naming
each by its path, so the web layer refuses the request (422) before anything stores it.
"""

from __future__ import annotations

import re

import orjson

MAX_DEPTH = 32
NUL_MESSAGE = "Must not contain NUL (\\u0000) characters."
SURROGATE_MESSAGE = (
    "Must be valid Unicode text: it holds a lone surrogate (\\ud800-\\udfff), half of a "
    "character that cannot be encoded as UTF-8."
)
DEPTH_MESSAGE = f"Nested deeper than {MAX_DEPTH} levels; send a flatter body."
BODY = "_body"


def text_problem(value: str) -> str | None:
    """Why `value` cannot be kept as text, or None when it can."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def printable_name(name: str) -> str:
    """A field name as it can be quoted back in an answer (NULs and surrogates escaped)."""
    return name.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def unusable_text(value, path: str = "") -> dict[str, str]:
    """Path -> why, for every string (keys included) in parsed data that cannot be kept
    as text, and for data nested deeper than MAX_DEPTH. Walks without recursion."""
    found: dict[str, str] = {}
    stack = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            found[BODY] = DEPTH_MESSAGE
            continue
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                found[printable_name(where) or BODY] = problem
        elif isinstance(item, dict):
            for key, inner in item.items():
                key = str(key)
                name = f"{where}.{key}" if where else key
                problem = text_problem(key)
                if problem:
                    found[printable_name(name)] = problem
                else:
                    stack.append((inner, name, depth + 1))
        elif isinstance(item, list | tuple):
            for index, inner in enumerate(item):
                stack.append((inner, f"{where}.{index}" if where else str(index), depth + 1))
    return found


def pairs_problems(pairs, json_values: bool = False) -> dict[str, str]:
    """The same check over (name, value) pairs: a query string, a form, a URL's parts.
    With `json_values`, a value that is JSON text (a form field carrying an object, such
    as a report's attributes) is checked inside too, naming ``field.key``."""
    found: dict[str, str] = {}
    for name, value in pairs:
        name, value = str(name), str(value)
        for text in (name, value):
            problem = text_problem(text)
            if problem:
                found[printable_name(name)] = problem
        if json_values and value.lstrip()[:1] in ("{", "["):
            try:
                decoded = orjson.loads(value)
            except orjson.JSONDecodeError:
                continue  # not JSON after all: the field's own parser says what is wrong
            found.update(unusable_text(decoded, name))
    return found


# A phone number in any usual spelling: a run of 9 to 15 digits, optionally after a +,
# with spaces, dots, dashes or brackets between them (+212 6 61 23 45 67, 06.61.23.45.67,
# 0522-334455, (0522) 33 44 55, 00212661234567). Ordinary numbers (a house number, a
# year, an ISO date) have fewer digits or other separators and are left alone.
PHONE = re.compile(r"(?<![\w+])(?!\d{4}-\d\d-\d\d)\+?\(?\d(?:[\s.\-()]{0,2}\d){8,14}(?![\w])")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
MASK = "•"


def mask_phones(text: str, keep: int = 2) -> str:
    """Every phone-number-like run replaced by a mask keeping its last `keep` digits."""

    def _mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return MASK * (len(digits) - keep) + (digits[-keep:] if keep else "")

    return PHONE.sub(_mask, text)


def mask_contacts(text: str | None) -> str | None:
    """Resident text as the public may see it: phone numbers and e-mail addresses the
    resident wrote into it are masked whole (the same in every language and format)."""
    if not text:
        return text
    return mask_phones(EMAIL.sub(MASK * 3 + "@" + MASK * 3, text), keep=0)


# Characters that would let a logged value forge a line or drive the terminal: control
# characters (newline, ESC...), Unicode line and paragraph separators, bidi overrides.
_UNSAFE_IN_LOGS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def log_safe(text: str) -> str:
    """One log line's text: unsafe characters escaped (\\n, \\x1b, \\u2028...) and phone
    numbers masked, so a client's input can neither forge a line nor leak a number."""
    escaped = _UNSAFE_IN_LOGS.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)
    return mask_phones(escaped)
