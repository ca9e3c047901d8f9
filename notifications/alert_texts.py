"""What an area alert says to a subscriber, and the confirmation code's message, in
French, Arabic and English.

An alert message is two parts, the first line (what and where) and the rest (details,
until when), so that the same words go as a plain message or as the two variables of
the approved WhatsApp Content template ("{{1}}" newline "{{2}}"): the stored body is
that template rendered, whichever way it is sent.
"""

from __future__ import annotations

import datetime as dt

from notifications.texts import CASABLANCA

LABELS = {
    "fr": {"Alert": "Alerte", "Update": "Alerte mise à jour", "Cancel": "Fin d'alerte"},
    "ar": {"Alert": "تنبيه", "Update": "تحديث التنبيه", "Cancel": "انتهاء التنبيه"},
    "en": {"Alert": "Alert", "Update": "Alert updated", "Cancel": "Alert over"},
}
UNTIL = {"fr": "Jusqu'au {when}.", "ar": "إلى غاية {when}.", "en": "Until {when}."}
CONFIRM = {
    "fr": "casa311 : votre code pour recevoir les alertes est {code}. Valable {minutes} min.",
    "ar": "casa311: رمز تأكيد الاشتراك في التنبيهات هو {code}. صالح لمدة {minutes} دقيقة.",
    "en": "casa311: your code to receive area alerts is {code}. Valid for {minutes} min.",
}
MAX_TEXT = 300


def _pick(values: dict, lang: str) -> str:
    return values.get(lang) or values.get("fr") or next(iter(values.values()), "")


def local_time(when: dt.datetime) -> str:
    return when.astimezone(CASABLANCA).strftime("%d/%m %H:%M")


def alert_parts(
    lang: str, msg_type: str, headline: dict, text: dict, ends_at: dt.datetime
) -> tuple[str, str]:
    """(first line, rest) of an alert message in `lang`."""
    first = f"{LABELS[lang][msg_type]} : {_pick(headline, lang)}"
    if lang != "fr":
        first = first.replace(" : ", ": ")
    if msg_type == "Cancel":
        return first, ""
    details = _pick(text, lang)
    if len(details) > MAX_TEXT:
        details = details[: MAX_TEXT - 1] + "…"
    return first, f"{details} {UNTIL[lang].format(when=local_time(ends_at))}".strip()


def render(first: str, rest: str) -> str:
    """The body: the two parts as the template shows them."""
    return f"{first}\n{rest}" if rest else first


def confirmation(lang: str, code: str, minutes: int) -> str:
    return CONFIRM.get(lang, CONFIRM["fr"]).format(code=code, minutes=minutes)
