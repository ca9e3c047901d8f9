"""What casa311 says to residents, in French (default), Arabic and English, and what it
costs: SMS segments counted as the network counts them.

A text that fits the GSM 03.38 alphabet goes as 7-bit (160 characters, 153 per part when
split); anything else, Arabic included, as UCS-2 (70 UTF-16 units, 67 per part). Every
message is kept within MAX_SEGMENTS by shortening the clerk's public note, the only part
of unbounded length.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

MAX_SEGMENTS = 2
LANGS = ("fr", "ar", "en")
CASABLANCA = ZoneInfo("Africa/Casablanca")

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets


def encoding(text: str) -> str:
    """'GSM-7' when every character is in the GSM alphabet, else 'UCS-2'."""
    return "GSM-7" if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text) else "UCS-2"


def segments(text: str) -> int:
    """How many SMS parts the text is billed as."""
    if encoding(text) == "GSM-7":
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


STATUS_NAMES = {
    "fr": {
        "submitted": "enregistré",
        "acknowledged": "pris en charge",
        "in_progress": "en cours de traitement",
        "resolved": "résolu",
        "closed": "clos",
        "rejected": "rejeté",
        "duplicate": "classé comme doublon",
    },
    "ar": {
        "submitted": "مستلم",
        "acknowledged": "قيد الدراسة",
        "in_progress": "قيد الإنجاز",
        "resolved": "تمت معالجته",
        "closed": "مغلق",
        "rejected": "مرفوض",
        "duplicate": "مكرر",
    },
    "en": {
        "submitted": "received",
        "acknowledged": "acknowledged",
        "in_progress": "in progress",
        "resolved": "resolved",
        "closed": "closed",
        "rejected": "rejected",
        "duplicate": "marked as a duplicate",
    },
}

TEMPLATES = {
    "fr": {
        "receipt": "casa311: votre signalement {code} est enregistré. Suivi: {url}",
        "known": (
            "casa311: signalement {code} enregistré. Problème connu ({headline}), "
            "rétablissement prévu le {until}. Suivi: {url}"
        ),
        "status": "casa311: votre signalement {code} est {status}.{note} Suivi: {url}",
        "duplicate": (
            "casa311: votre signalement {code} est un doublon de {original}, déjà suivi."
            "{note} Suivi: {url}"
        ),
        "reply": "casa311: {code} est {status} depuis le {when}.{note} {url}",
        "note": " Note: {note}",
        "help": (
            "casa311: envoyez votre code de suivi (ex. K7QM-4RZP) pour son état, "
            "STOP pour ne plus rien recevoir, START pour reprendre."
        ),
        "stop": "casa311: vous ne recevrez plus de messages. Envoyez START pour reprendre.",
        "start": "casa311: messages réactivés. Envoyez STOP pour ne plus en recevoir.",
        "unknown_code": "casa311: aucun signalement avec le code {code}.",
    },
    "ar": {
        "receipt": "casa311: توصلنا ببلاغك {code}. للتتبع: {url}",
        "known": (
            "casa311: توصلنا ببلاغك {code}. المشكل معروف ({headline})، "
            "الإصلاح متوقع {until}. للتتبع: {url}"
        ),
        "status": "casa311: بلاغك {code} {status}.{note} للتتبع: {url}",
        "duplicate": (
            "casa311: بلاغك {code} مكرر للبلاغ {original} الذي تتم متابعته.{note} للتتبع: {url}"
        ),
        "reply": "casa311: {code} {status} منذ {when}.{note} {url}",
        "note": " ملاحظة: {note}",
        "help": "casa311: أرسل رمز التتبع لمعرفة حالة بلاغك، أو توقف لإيقاف الرسائل، أو START.",
        "stop": "casa311: لن تصلك رسائل بعد الآن. أرسل START للاستئناف.",
        "start": "casa311: تم تفعيل الرسائل. أرسل توقف للإيقاف.",
        "unknown_code": "casa311: لا يوجد بلاغ بالرمز {code}.",
    },
    "en": {
        "receipt": "casa311: report {code} received. Follow it: {url}",
        "known": (
            "casa311: report {code} received. Known problem ({headline}), expected "
            "fixed by {until}. Follow it: {url}"
        ),
        "status": "casa311: your report {code} is {status}.{note} Follow it: {url}",
        "duplicate": (
            "casa311: your report {code} duplicates {original}, which is being handled."
            "{note} Follow it: {url}"
        ),
        "reply": "casa311: {code} is {status} since {when}.{note} {url}",
        "note": " Note: {note}",
        "help": (
            "casa311: send your tracking code (e.g. K7QM-4RZP) for its status, "
            "STOP to receive nothing more, START to resume."
        ),
        "stop": "casa311: you will receive no more messages. Send START to resume.",
        "start": "casa311: messages resumed. Send STOP to stop them.",
        "unknown_code": "casa311: no report has the code {code}.",
    },
}


def _lang(lang: str | None) -> str:
    return lang if lang in LANGS else "fr"


def _with_note(lang: str, template: str, note: str | None, **values) -> str:
    """Fill `template`, shortening the note (never the code or link) to fit the budget."""
    words = TEMPLATES[lang]
    note = " ".join((note or "").split())
    text = template.format(note="", **values)
    if not note:
        return text
    for length in range(len(note), 0, -1):
        clipped = note if length == len(note) else note[: length - 1].rstrip() + "…"
        candidate = template.format(note=words["note"].format(note=clipped), **values)
        if segments(candidate) <= MAX_SEGMENTS:
            return candidate
    return text


def receipt(lang: str, code: str, url: str) -> str:
    lang = _lang(lang)
    return TEMPLATES[lang]["receipt"].format(code=code, url=url)


def known_receipt(lang: str, code: str, url: str, headline: str, until: dt.datetime) -> str:
    """The receipt of a report a live alert explains: known, and fixed by when."""
    lang = _lang(lang)
    when = until.astimezone(CASABLANCA).strftime("%d/%m %H:%M")
    template = TEMPLATES[lang]["known"]
    for length in range(len(headline), 0, -1):  # shorten the headline, never the code
        short = headline if length == len(headline) else headline[: length - 1].rstrip() + "…"
        text = template.format(code=code, url=url, headline=short, until=when)
        if segments(text) <= MAX_SEGMENTS + 1:
            return text
    return template.format(code=code, url=url, headline="…", until=when)


def status_update(
    lang: str, code: str, status: str, note: str | None, url: str, original: str | None = None
) -> str:
    """A status change; a duplicate names the `original` report (`url` is then its page)."""
    lang = _lang(lang)
    if status == "duplicate" and original:
        template = TEMPLATES[lang]["duplicate"]
        return _with_note(lang, template, note, code=code, original=original, url=url)
    name = STATUS_NAMES[lang].get(status, status)
    return _with_note(lang, TEMPLATES[lang]["status"], note, code=code, status=name, url=url)


def status_reply(
    lang: str, code: str, status: str, since: dt.datetime, note: str | None, url: str
) -> str:
    """The answer to a resident asking for a report's status."""
    lang = _lang(lang)
    name = STATUS_NAMES[lang].get(status, status)
    when = since.astimezone(CASABLANCA).strftime("%d/%m/%Y %H:%M")
    template = TEMPLATES[lang]["reply"]
    return _with_note(lang, template, note, code=code, status=name, when=when, url=url)


def fixed(lang: str, key: str, **values) -> str:
    """help, stop, start, unknown_code."""
    return TEMPLATES[_lang(lang)][key].format(**values)
