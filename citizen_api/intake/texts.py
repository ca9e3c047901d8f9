# ruff: noqa: E501  (one message per line: the three languages read side by side)
"""What the WhatsApp intake says, in French (default), Arabic and English, and the words
it understands in answers (numbers, yes/no, skip, cancel, a change of language).

Words are compared after `domain.text.normalise`, so "Annulér", "ANNULER" and "annuler"
are one word, and "إلغاء" / "الغاء" too.
"""

from __future__ import annotations

from citizen_api.domain.text import normalise

LANGS = ("fr", "ar", "en")


def _words(*items: str) -> frozenset[str]:
    return frozenset(normalise(item) for item in items)


CANCEL = _words("annuler", "annule", "cancel", "الغاء", "إلغاء", "الغي", "nlghi", "lghi")
SKIP = _words("0", "passer", "passe", "non", "skip", "no", "none", "لا", "تخطي", "walo", "la")
YES = _words("1", "oui", "ok", "o", "yes", "y", "نعم", "ايه", "واخا", "wakha", "waxa", "iyeh", "ah")
NO = _words("2", "non", "no", "n", "لا", "la", "lla")
SWITCH = {
    **dict.fromkeys(_words("fr", "francais", "français", "french", "فرنسية", "بالفرنسية"), "fr"),
    **dict.fromkeys(_words("ar", "arabe", "arabic", "العربية", "عربية", "بالعربية", "عربي"), "ar"),
    **dict.fromkeys(_words("en", "english", "anglais", "انجليزية", "بالانجليزية"), "en"),
}

TEXTS = {
    "fr": {
        "describe": (
            "casa311 : décrivez en quelques mots le problème à signaler "
            "(ex. « nid de poule devant l'école »). ANNULER pour arrêter."
        ),
        "too_long": (
            "Votre message fait {length} caractères ; {limit} au plus. "
            "Décrivez le problème plus brièvement."
        ),
        "html": "Écrivez le texte simplement, sans balises HTML.",
        "menu": "De quoi s'agit-il ? Répondez par un numéro :\n{options}\n0. Autre (toute la liste)",
        "full_menu": "Choisissez le type de problème (numéro) :\n{options}",
        "bad_number": "Il n'y a pas de choix {number}. Répondez par un numéro de 1 à {last}.",
        "location": (
            "{service} : envoyez la position du problème (📎 > Position > "
            "« Envoyer votre position actuelle » ou un point sur la carte)."
        ),
        "need_pin": "J'ai besoin d'une position WhatsApp (📎 > Position), pas d'une adresse écrite.",
        "outside": (
            "Ce point est hors de Casablanca{away} : casa311 ne traite que la ville. "
            "Envoyez la position du problème, dans la ville."
        ),
        "away": " (à environ {km} km)",
        "duplicate": (
            "Un signalement semblable est déjà ouvert à {distance} m : {code} « {text} ». "
            "Répondez 1 pour le soutenir (moi aussi), 2 s'il s'agit d'un autre problème."
        ),
        "supported": (
            "Merci ! Votre soutien à {code} est compté ({count} personne(s)). Suivi : {url}"
        ),
        "attribute": "{question}\n{options}",
        "attribute_free": "{question} (répondez par un texte court)",
        "attribute_many": "Vous pouvez donner plusieurs numéros, ex. « 1 3 ».",
        "photo": "Envoyez une photo du problème, ou 0 pour passer.",
        "photo_received": "Photo reçue.",
        "photo_failed": "Je n'ai pas pu lire la photo ({why}) ; le signalement continue sans elle.",
        "details": "Voulez-vous ajouter des détails (repère, adresse) ? Écrivez-les, ou 0 pour passer.",
        "confirm": (
            "Récapitulatif :\n• {service}\n• {area}\n{answers}• Photo : {photo}\n• « {text} »\n"
            "Répondez 1 pour envoyer, ou ANNULER."
        ),
        "photo_yes": "oui",
        "photo_no": "non",
        "not_filed": "Le signalement n'a pas pu être enregistré : {why}",
        "cancelled": "Signalement abandonné. Écrivez-nous quand vous voulez pour en faire un autre.",
        "expired": "Votre signalement précédent, resté sans réponse 24 h, a été abandonné.",
        "slow_down": "Vous envoyez beaucoup de messages à la fois : attendez une minute, puis répondez.",
        "filed": "Merci ! Signalement {code} enregistré. Suivi : {url}",
    },
    "ar": {
        "describe": "casa311: صف المشكل في كلمات قليلة (مثلا: حفرة أمام المدرسة). أرسل الغاء للتوقف.",
        "too_long": "رسالتك فيها {length} حرفا، والحد الأقصى {limit}. صف المشكل باختصار.",
        "html": "اكتب النص عاديا بدون رموز HTML.",
        "menu": "ما نوع المشكل؟ أجب برقم:\n{options}\n0. آخر (اللائحة كاملة)",
        "full_menu": "اختر نوع المشكل (رقم):\n{options}",
        "bad_number": "لا يوجد اختيار رقم {number}. أجب برقم من 1 إلى {last}.",
        "location": "{service}: أرسل موقع المشكل (📎 > الموقع > أرسل موقعك الحالي أو نقطة على الخريطة).",
        "need_pin": "أحتاج موقعا عبر واتساب (📎 > الموقع)، لا عنوانا مكتوبا.",
        "outside": "هذه النقطة خارج الدار البيضاء{away}، وcasa311 يعالج المدينة فقط. أرسل موقع المشكل داخل المدينة.",
        "away": " (على بعد حوالي {km} كلم)",
        "duplicate": (
            "يوجد بلاغ مشابه مفتوح على بعد {distance} م: {code} «{text}». "
            "أجب 1 لدعمه (أنا أيضا)، أو 2 إذا كان مشكلا آخر."
        ),
        "supported": "شكرا! تم احتساب دعمك لـ {code} ({count} شخص). للتتبع: {url}",
        "attribute": "{question}\n{options}",
        "attribute_free": "{question} (أجب بنص قصير)",
        "attribute_many": "يمكنك إعطاء عدة أرقام، مثلا: 1 3",
        "photo": "أرسل صورة للمشكل، أو 0 للتخطي.",
        "photo_received": "توصلنا بالصورة.",
        "photo_failed": "لم أتمكن من قراءة الصورة ({why})؛ يستمر البلاغ بدونها.",
        "details": "هل تريد إضافة تفاصيل (علامة، عنوان)؟ اكتبها، أو 0 للتخطي.",
        "confirm": "ملخص:\n• {service}\n• {area}\n{answers}• صورة: {photo}\n• «{text}»\nأجب 1 للإرسال، أو الغاء.",
        "photo_yes": "نعم",
        "photo_no": "لا",
        "not_filed": "تعذر تسجيل البلاغ: {why}",
        "cancelled": "تم إلغاء البلاغ. راسلنا متى شئت لبلاغ آخر.",
        "expired": "تم إلغاء بلاغك السابق لأنه بقي بدون جواب 24 ساعة.",
        "slow_down": "أرسلت رسائل كثيرة دفعة واحدة: انتظر دقيقة ثم أجب.",
        "filed": "شكرا! تم تسجيل البلاغ {code}. للتتبع: {url}",
    },
    "en": {
        "describe": (
            "casa311: describe the problem in a few words "
            '(e.g. "pothole outside the school"). CANCEL to stop.'
        ),
        "too_long": "Your message has {length} characters; at most {limit}. Describe it more briefly.",
        "html": "Write plain text, without HTML tags.",
        "menu": "What is it? Answer with a number:\n{options}\n0. Something else (full list)",
        "full_menu": "Choose the kind of problem (number):\n{options}",
        "bad_number": "There is no choice {number}. Answer with a number from 1 to {last}.",
        "location": (
            "{service}: send the problem's location (📎 > Location > "
            '"Send your current location" or a point on the map).'
        ),
        "need_pin": "I need a WhatsApp location (📎 > Location), not a written address.",
        "outside": (
            "This point is outside Casablanca{away}; casa311 only takes reports in the city. "
            "Send the problem's location, in the city."
        ),
        "away": " (about {km} km away)",
        "duplicate": (
            'A similar report is already open {distance} m away: {code} "{text}". '
            "Answer 1 to support it (me too), 2 if it is another problem."
        ),
        "supported": "Thank you! Your support for {code} is counted ({count} people). Follow it: {url}",
        "attribute": "{question}\n{options}",
        "attribute_free": "{question} (answer with a short text)",
        "attribute_many": 'You may give several numbers, e.g. "1 3".',
        "photo": "Send a photo of the problem, or 0 to skip.",
        "photo_received": "Photo received.",
        "photo_failed": "I could not read the photo ({why}); the report goes on without it.",
        "details": "Any details to add (landmark, address)? Write them, or 0 to skip.",
        "confirm": (
            'Summary:\n• {service}\n• {area}\n{answers}• Photo: {photo}\n• "{text}"\n'
            "Answer 1 to send, or CANCEL."
        ),
        "photo_yes": "yes",
        "photo_no": "no",
        "not_filed": "The report could not be filed: {why}",
        "cancelled": "Report abandoned. Write to us whenever you want to make another.",
        "expired": "Your previous report, left unanswered for 24 hours, was abandoned.",
        "slow_down": "You are sending many messages at once: wait a minute, then answer.",
        "filed": "Thank you! Report {code} filed. Follow it: {url}",
    },
}

PHOTO_PROBLEMS = {
    "fr": {
        "not-found": "le lien de la photo ne répond plus",
        "timeout": "elle a mis trop de temps à arriver",
        "not-image": "ce n'est pas une image",
        "too-large": "elle dépasse {mb} Mo",
        "unreachable": "elle n'a pas pu être téléchargée",
        "storage": "elle n'a pas pu être enregistrée",
    },
    "ar": {
        "not-found": "رابط الصورة لم يعد يعمل",
        "timeout": "استغرقت وقتا طويلا",
        "not-image": "الملف ليس صورة",
        "too-large": "حجمها يتجاوز {mb} ميغابايت",
        "unreachable": "تعذر تحميلها",
        "storage": "تعذر حفظها",
    },
    "en": {
        "not-found": "its link no longer answers",
        "timeout": "it took too long to arrive",
        "not-image": "it is not an image",
        "too-large": "it is larger than {mb} MB",
        "unreachable": "it could not be downloaded",
        "storage": "it could not be stored",
    },
}


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "fr"


def say(lang: str, key: str, **values) -> str:
    """The text `key` in `lang` (French if unknown), filled with `values`."""
    return TEXTS[lang_of(lang)][key].format(**values)


def photo_problem(lang: str, kind: str, max_bytes: int) -> str:
    words = PHOTO_PROBLEMS[lang_of(lang)]
    return words.get(kind, words["unreachable"]).format(mb=max_bytes // (1024 * 1024))


def numbered(names: list[str]) -> str:
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, start=1))
