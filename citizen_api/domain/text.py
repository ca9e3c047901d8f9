"""Resident text made comparable: one normal form for French, Arabic, Darija and Arabizi.

Casablanca's residents write the same pothole as "nid de poule", "Nid-de-Poule !!",
"حُفْرَة", "حفره", "l7ofra" or "hofra". `normalise` folds the spellings that differ only
in how they were typed (accents, case, hamza forms, tatweel, Arabic-Indic digits, Arabizi
digits, doubled letters, a few frequent Darija spellings) so that the suggester and the
duplicate check compare meaning-bearing letters only. It never translates: "حفرة" and
"7ofra" stay apart, the classifier learns both from its corpus.

Pure Python, no Flask, no third-party import: the web layer, the WhatsApp conversation
and the duplicate check all call the same functions.

Public interface (stable):
  normalise(text) -> str        the normal form (lower case, single spaces)
  words(text) -> list[str]      the normal form split into words
  similarity(a, b) -> float     0..1, cosine of character trigrams of the normal forms
  arabic_share(text) -> float   the share of letters written in Arabic script
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Arabic script: letters that vary only by how they were typed.
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",  # alef with hamza above
        "إ": "ا",  # alef with hamza below
        "آ": "ا",  # alef with madda
        "ٱ": "ا",  # alef wasla
        "ٲ": "ا",
        "ٳ": "ا",
        "ؤ": "و",  # waw with hamza
        "ئ": "ي",  # ya with hamza
        "ى": "ي",  # alef maqsura
        "ی": "ي",  # Persian ya (phone keyboards)
        "ة": "ه",  # ta marbuta
        "ک": "ك",  # keheh
        "ڭ": "ك",  # Moroccan gaf (the "g" of Darija)
        "ݣ": "ك",
        "گ": "ك",
        "ڤ": "ف",  # ve, for French loanwords
        "پ": "ب",
        "ـ": "",  # tatweel (kashida): only stretches the line
    }
)
# Harakat, shadda, sukun, superscript alef and the Quranic annotation marks.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits -> ASCII.
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})

# Arabizi: digits standing for the Arabic letters Latin lacks, inside a Latin word.
ARABIZI_DIGITS = {"2": "ء", "3": "ع", "5": "خ", "7": "ح", "8": "غ", "9": "ق"}
# A number followed by a unit or an ordinal ("2m", "3eme", "10h", "50cm") is not Arabizi.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:er|re|e|eme|em|ieme|iem|h|m|km|cm|mm|m2|kg|l|min|mn|s|j|th|st|nd|rd|x|dh|mad|am|pm)"
)

# Frequent Darija words spelt many ways in Latin letters -> one spelling. Keys are taken
# after case/accent folding and the collapse of doubled letters, so "bzzzaf" is "bzaf".
DARIJA_SPELLINGS = {
    "kayn": ("kain", "kaine", "kayen", "kayne", "kayna", "kaina", "kayin", "kayena", "kaynin"),
    "bzaf": ("bezaf", "bzef", "bezef", "bzf"),
    "dyal": ("dial", "diyal", "dyel", "dil", "dyl"),
    "zenqa": ("zen9a", "znqa", "zanqa", "zan9a", "zenka", "zn9a", "znka"),
    "derb": ("drb", "darb"),
    "wach": ("wash", "wech", "wesh"),
    "chi": ("shi", "chy", "chiy"),
    "hna": ("hena", "hnaya", "henaya", "hnya"),
    "lqit": ("l9it", "lgit", "l9ina", "lqina"),
    "3afak": ("afak", "3afk", "3fak", "3afek", "afek"),
    "mzyan": ("mzian", "mezyan", "mzien"),
    "daba": ("dba",),
}
_DARIJA_WORDS = {
    variant: canonical
    for canonical, variants in DARIJA_SPELLINGS.items()
    for variant in (canonical, *variants)
}
_ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_DOUBLED = re.compile(r"([^\W\d_])\1+")
_NOT_WORD = re.compile(r"[\W_]+")


def _fold_latin(text: str) -> str:
    """Lower case without accents: "Éclairage" -> "eclairage", "cœur" -> "coeur"."""
    text = text.casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFD", text)
    # Drop the combining marks of Latin letters only: Arabic keeps its own handling.
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _fold_arabic(text: str) -> str:
    """One form per Arabic letter: hamza carriers, alef maqsura, ta marbuta, no marks."""
    text = _ARABIC_MARKS.sub("", text)
    return text.translate(_ARABIC_LETTERS)


def _arabizi_word(word: str) -> str:
    """Arabizi digits in a Latin word become Arabic letters ("l7ofra" -> "lحofra")."""
    if word.isdigit() or not any(ch.isalpha() for ch in word):
        return word
    if _NUMBER_WITH_UNIT.fullmatch(word):
        return word
    return "".join(ARABIZI_DIGITS.get(ch, ch) for ch in word)


def _word(word: str) -> str:
    word = _DOUBLED.sub(r"\1", word)
    word = _DARIJA_WORDS.get(word, word)
    return _arabizi_word(word)


@lru_cache(maxsize=1024)
def normalise(text: str) -> str:
    """The normal form of `text` for matching: folded letters, single spaces.

    Cached: one request reads the same text several times (validation, scoring,
    language detection) and a conversation re-reads a resident's last message."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)  # presentation forms, full-width letters
    text = text.translate(_DIGITS)
    text = _fold_arabic(_fold_latin(text))
    text = _NOT_WORD.sub(" ", text)
    return " ".join(_word(w) for w in text.split())


def words(text: str) -> list[str]:
    """The words of the normal form of `text`."""
    return normalise(text).split()


def _trigrams(normal: str) -> Counter:
    grams: Counter = Counter()
    for word in normal.split():
        padded = f" {word} "
        for i in range(len(padded) - 2):
            grams[padded[i : i + 3]] += 1
    return grams


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 (nothing shared) to 1 (same normal form).

    The cosine of their character-trigram counts after `normalise`: robust to typos,
    word order and spelling variants, cheap enough to compare a report with its
    neighbours before filing it.
    """
    ga, gb = _trigrams(normalise(a)), _trigrams(normalise(b))
    if not ga or not gb:
        return 0.0
    dot = sum(count * gb[gram] for gram, count in ga.items() if gram in gb)
    norm = math.sqrt(sum(c * c for c in ga.values())) * math.sqrt(sum(c * c for c in gb.values()))
    return min(1.0, dot / norm)


def arabic_share(text: str) -> float:
    """The share of the letters of `text` that are written in Arabic script (0..1)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _ARABIC_CHAR.match(ch)) / len(letters)
