"""Names kept in French, Arabic and English, and how one language is picked."""

from __future__ import annotations

LANGUAGES = ("fr", "ar", "en")
DEFAULT_LANGUAGE = "fr"


def pick(obj, field: str, lang: str) -> str | None:
    """The `field` of `obj` (an object or a dict) in `lang`, falling back to French,
    then to any language."""
    get = obj.get if isinstance(obj, dict) else lambda key: getattr(obj, key, None)
    for candidate in (lang, DEFAULT_LANGUAGE, *LANGUAGES):
        value = get(f"{field}_{candidate}")
        if value:
            return value
    return None


class Localized:
    """Mixin for rows with `name_fr`, `name_ar` and (optionally) `name_en` columns."""

    def name(self, lang: str) -> str:
        return pick(self, "name", lang)
