"""Alert subscriptions as messages see them: a keyword from the phone itself
(`ALERTE MAARIF`, `تنبيه المعاريف`, `ALERT MAARIF`) subscribes the sender at once (the
message proves the number), STOP ends every subscription of the number.

Area names are matched in French and Arabic (and by code), without accents, case,
punctuation, the Arabic article or diacritics: `maarif`, `Maârif`, `المعاريف` and
`معاريف` all name Maârif; several areas may follow one keyword. An unknown name gets a
reply listing the areas.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import AlertSubscription, Area, ReporterContact, utcnow

KEYWORDS = {
    "ALERTE": "fr",
    "ALERTES": "fr",
    "ALERT": "en",
    "ALERTS": "en",
    "تنبيه": "ar",
    "تنبيهات": "ar",
}
REPLIES = {
    "fr": {
        "subscribed": "casa311 : vous recevrez les alertes de {areas}. Envoyez STOP pour arrêter.",
        "unknown_area": "casa311 : quartier inconnu ({words}). Envoyez ALERTE suivi de : {areas}.",
    },
    "ar": {
        "subscribed": "casa311: ستتوصلون بتنبيهات {areas}. أرسلوا STOP للتوقف.",
        "unknown_area": "casa311: منطقة غير معروفة ({words}). أرسلوا تنبيه متبوعا بـ: {areas}.",
    },
    "en": {
        "subscribed": "casa311: you will get the alerts of {areas}. Send STOP to stop them.",
        "unknown_area": "casa311: unknown area ({words}). Send ALERT followed by one of: {areas}.",
    },
}
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})


def fold(text: str) -> str:
    """A name as it is compared: upper case, no accents, no Arabic diacritics or article,
    letters and digits only, words separated by one space."""
    text = _ARABIC_MARKS.sub("", text).translate(_ALEFS)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    words = re.split(r"[^\w]+|_", plain)
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words if w)


def keyword(body: str) -> tuple[str, str] | None:
    """(language, the rest of the text) when the message starts with an alert keyword."""
    words = (body or "").split(maxsplit=1)
    if not words:
        return None
    lang = KEYWORDS.get(fold(words[0]))
    return (lang, words[1] if len(words) > 1 else "") if lang else None


def _names(session: Session) -> dict[str, Area]:
    names: dict[str, Area] = {}
    for area in session.scalars(select(Area)):
        for name in (area.code.replace("-", " "), area.name_fr, area.name_ar, area.name_en):
            if name:
                names[fold(name)] = area
        # "Roches Noires (Assoukhour Assawda)": each part names it too.
        for part in re.findall(r"[^()]+", area.name_fr):
            if part.strip():
                names.setdefault(fold(part), area)
    return names


def match_areas(session: Session, text: str) -> tuple[list[Area], str]:
    """The areas named in `text` (longest names first) and the words left unmatched."""
    names = _names(session)
    rest = f" {fold(text)} "
    found: list[Area] = []
    for name in sorted(names, key=len, reverse=True):
        if f" {name} " in rest:
            rest = rest.replace(f" {name} ", " ")
            if names[name] not in found:
                found.append(names[name])
    leftover = " ".join(w for w in rest.split() if w not in {"ET", "AND", "و"})
    return found, leftover


def _name(area: Area, lang: str) -> str:
    if lang == "ar":
        return area.name_ar
    return (area.name_en or area.name_fr) if lang == "en" else area.name_fr


def area_list(session: Session, lang: str) -> str:
    areas = session.scalars(select(Area).order_by(Area.name_fr)).all()
    names = [_name(a, lang) for a in areas]
    return ("، " if lang == "ar" else ", ").join(names)


def subscribe_by_keyword(
    session: Session, contact: ReporterContact, lang: str, text: str, channel: str
) -> str:
    """Subscribe the sender to the areas named in `text`; the reply to send."""
    areas, leftover = match_areas(session, text)
    replies = REPLIES[lang]
    if leftover or not areas:
        words = text.strip() or "-"
        return replies["unknown_area"].format(words=words[:40], areas=area_list(session, lang))
    rows = {
        row.area_id: row
        for row in session.scalars(
            select(AlertSubscription).where(AlertSubscription.contact_id == contact.id)
        )
    }
    for area in areas:
        row = rows.get(area.id) or AlertSubscription(contact_id=contact.id, area_id=area.id)
        session.add(row)
        row.state, row.lang, row.channel, row.ended_at = "active", lang, channel, None
        row.confirmed_at, row.code_hash, row.attempts = utcnow(), None, 0
    contact.opted_out_at = None  # asking for alerts is consent to receive them
    session.flush()
    names = [_name(a, lang) for a in areas]
    return replies["subscribed"].format(areas=("، " if lang == "ar" else ", ").join(names))


def end_subscriptions(session: Session, contact_id: int) -> int:
    """End every alert subscription of this number (STOP); how many were still on."""
    return session.execute(
        update(AlertSubscription)
        .where(AlertSubscription.contact_id == contact_id, AlertSubscription.state != "ended")
        .values(state="ended", ended_at=utcnow(), code_hash=None)
        .execution_options(synchronize_session=False)
    ).rowcount
