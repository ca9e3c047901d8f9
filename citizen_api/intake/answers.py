"""Reading a resident's answers (numbers, choices by number or by name, free text) and
writing values back in their words. Free of Flask."""

from __future__ import annotations

import re

from marshmallow import ValidationError

from citizen_api.domain.report_fields import plain_text
from citizen_api.domain.text import similarity
from citizen_api.intake.texts import LANGS


def text_problem(text: str, limit: int) -> tuple[str, dict] | None:
    if len(text) > limit:
        return "too_long", {"length": len(text), "limit": limit}
    try:
        plain_text(text)
    except ValidationError:
        return "html", {}
    if "\x00" in text:
        return "html", {}
    return None


def read_number(word: str) -> int | None:
    match = re.fullmatch(r"(?:n ?|no ?|rqm ?|رقم ?)?(\d{1,3})", word)
    return int(match.group(1)) if match else None


def pick(value: dict, lang: str) -> str:
    return value.get(f"name_{lang}") or value.get("name_fr") or value["key"]


def answer_names(attribute, value, lang: str) -> str:
    if not attribute.values:
        return str(value)
    names = {v["key"]: pick(v, lang) for v in attribute.values}
    values = value if isinstance(value, list) else [value]
    return ", ".join(names.get(v, v) for v in values)


def attribute_answer(attribute, text: str, word: str):
    """The answer to one attribute from the resident's words, or None if unreadable."""
    if attribute.values:
        keys = [v["key"] for v in attribute.values]
        numbers = [int(n) for n in re.findall(r"\d{1,3}", word)]
        picked = [keys[n - 1] for n in numbers if 1 <= n <= len(keys)]
        if not picked:  # words: the choice whose name is most like them
            scored = [
                (max(similarity(word, pick(v, lang)) for lang in LANGS), v["key"])
                for v in attribute.values
            ]
            best = max(scored)
            picked = [best[1]] if best[0] > 0.6 else []
        if not picked or (numbers and len(picked) != len(numbers)):
            return None
        if attribute.datatype == "multivaluelist":
            return list(dict.fromkeys(picked))
        return picked[0] if len(picked) == 1 else None
    if attribute.datatype == "number":
        return read_number(word)
    return text[:200] or None


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
