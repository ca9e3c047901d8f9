"""Which language a response speaks: `?lang=`, else Accept-Language, else French."""

from __future__ import annotations

from flask import request

from citizen_api.web.errors import validation_problem
from models.i18n import DEFAULT_LANGUAGE, LANGUAGES


def negotiate() -> str:
    """The response language for the current request (fr, ar or en)."""
    asked = request.args.get("lang")
    if asked:
        if asked not in LANGUAGES:
            raise validation_problem({"lang": [f"Must be one of {', '.join(LANGUAGES)}."]})
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def localize(response, lang: str):
    """Mark a response with its language; caches must key it by Accept-Language."""
    response.headers["Content-Language"] = lang
    response.vary.add("Accept-Language")
    return response
