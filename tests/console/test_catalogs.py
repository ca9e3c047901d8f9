"""The console's message catalogs: in step with the code, and complete in fr and ar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "citizen_api/translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(lang: str):
    with open(CATALOGS / lang / "LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _extracted() -> set[str]:
    """What `make translations` would extract from the console's code and templates now."""
    method_map = [
        ("citizen_api/console/**.py", "python"),
        ("citizen_api/console/templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_each_catalog_holds_exactly_the_strings_the_console_uses(lang):
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(lang) if m.id}
    extracted = _extracted()
    assert extracted - ids == set(), "run `make translations` and translate the new strings"
    assert ids - extracted == set(), "strings the code no longer uses: run `make translations`"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_string_is_translated_with_its_placeholders(lang):
    for message in _catalog(lang):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, message.id
        assert all(texts), f"{lang}: {message.id!r} is not translated"
        wanted = set(PLACEHOLDER.findall(source[0]))
        for text in texts:
            assert set(PLACEHOLDER.findall(text)) == wanted, (lang, message.id, text)
