"""Which service is this? The three likeliest services for a resident's own words.

A linear classifier over character n-grams of the normalised text (`text.normalise`),
trained by `suggest_train` with scikit-learn from the project's own labelled corpus
(data/suggest_corpus.tsv) and shipped as a small JSON artefact (data/suggest_model.json):
the n-gram vocabulary, each n-gram's idf and its weight per service. Scoring is done
here in plain Python (tf-idf, L2 norm, dot product, softmax), so the app process needs
neither scikit-learn nor numpy, loads the model in tens of milliseconds once per process,
and answers a query in well under a millisecond. The README explains the choice.

Public interface (stable):
  suggest(text, k=3, among=None) -> list[tuple[str, float]]
                                                   (service_code, probability), best first
  detect_language(text) -> "ar" | "fr" | "en"      the language to answer a resident in
  features(text) -> Counter                        the n-grams the model sees (for training)
  load_model(path=None) -> Model                   the model, loaded once per process
"""

from __future__ import annotations

import json
import math
import re
import threading
from array import array
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from citizen_api.domain.text import DARIJA_SPELLINGS, arabic_share, normalise

DATA = Path(__file__).resolve().parent.parent / "data"
MODEL_PATH = DATA / "suggest_model.json"
CORPUS_PATH = DATA / "suggest_corpus.tsv"
NGRAM_SIZES = (2, 3, 4, 5)
MAX_QUERY_CHARS = 500  # a description longer than this says nothing more about its service


def features(text: str) -> Counter:
    """The features of `text`: each normalised word and its character 2- to 5-grams.

    Words are padded with a space on each side so that n-grams at a word's start and
    end are told apart ("de" alone vs inside "eclairage"), as scikit-learn's `char_wb`.
    """
    grams: Counter = Counter()
    for word in normalise(text[:MAX_QUERY_CHARS]).split():
        grams["w:" + word] += 1
        padded = f" {word} "
        for n in NGRAM_SIZES:
            for i in range(len(padded) - n + 1):
                grams[padded[i : i + n]] += 1
    return grams


@dataclass(frozen=True)
class Model:
    """A trained suggester: service codes, intercepts, and for each feature its idf and
    its weight per service, packed in one array of doubles (~1 MB instead of ~10 MB of
    Python floats) with the feature's row number in `rows`."""

    services: tuple[str, ...]
    intercepts: tuple[float, ...]
    rows: dict[str, int]
    table: array
    inputs_sha256: str
    meta: dict

    @classmethod
    def from_json(cls, data: dict) -> Model:
        """The model from the JSON document `suggest_train` writes, already parsed."""
        return cls._build(data, data["features"].items())

    @classmethod
    def read(cls, path: Path) -> Model:
        """The model from its file, one feature line at a time: parsing the whole
        document at once would leave ~6 MB of freed floats in the worker's heap."""
        with path.open(encoding="utf-8") as handle:
            head = json.loads(handle.readline().rstrip().removesuffix(",") + "}")
            if handle.readline().strip() != '"features":{':
                raise ValueError(f"{path} is not laid out one feature per line")
            return cls._build(head, cls._feature_lines(handle))

    @staticmethod
    def _feature_lines(handle):
        for line in handle:
            line = line.rstrip().removesuffix(",")
            if line in ("}}", "}"):
                return
            yield next(iter(json.loads("{" + line + "}").items()))

    @classmethod
    def _build(cls, head: dict, features_rows) -> Model:
        width = len(head["services"]) + 1
        table = array("d")
        rows = {}
        for number, (gram, row) in enumerate(features_rows):
            if len(row) != width:
                raise ValueError(f"feature {gram!r} has {len(row)} numbers, not {width}")
            rows[gram] = number * width
            table.extend(row)
        return cls(
            services=tuple(head["services"]),
            intercepts=tuple(head["intercepts"]),
            rows=rows,
            table=table,
            inputs_sha256=head["inputs_sha256"],
            meta=head.get("meta", {}),
        )

    def probabilities(self, text: str) -> list[float]:
        """The probability of each service (in `services` order) for `text`."""
        table, width = self.table, len(self.services) + 1
        found = []
        for gram, count in features(text).items():
            start = self.rows.get(gram)
            if start is not None:
                found.append(((1.0 + math.log(count)) * table[start], start + 1))
        logits = list(self.intercepts)
        if found:
            sums = [0.0] * len(logits)
            for value, start in found:
                weights = table[start : start + width - 1]
                sums = [acc + value * w for acc, w in zip(sums, weights)]  # noqa: B905
            scale = 1.0 / math.sqrt(sum(v * v for v, _ in found))  # the tf-idf L2 norm
            logits = [b + scale * acc for b, acc in zip(logits, sums, strict=True)]
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def suggest(
        self, text: str, k: int = 3, among: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The `k` likeliest services for `text`, best first, with their probability;
        only those in `among` if given (e.g. the services active today)."""
        ranked = sorted(
            zip(self.services, self.probabilities(text), strict=True),
            key=lambda pair: (-pair[1], pair[0]),
        )
        if among is not None:
            ranked = [pair for pair in ranked if pair[0] in among]
        return [(code, round(p, 4)) for code, p in ranked[:k]]


_lock = threading.Lock()
_loaded: dict[Path, Model] = {}


def load_model(path: Path | None = None) -> Model:
    """The model stored at `path` (default: the shipped one), read once per process."""
    path = Path(path or MODEL_PATH)
    model = _loaded.get(path)
    if model is None:
        with _lock:
            model = _loaded.get(path)
            if model is None:
                model = Model.read(path)
                _loaded[path] = model
    return model


def suggest(text: str, k: int = 3, among: Collection[str] | None = None) -> list[tuple[str, float]]:
    """The `k` likeliest service codes for a free-text description, with probabilities
    (0..1, over all the services the model knows); only codes in `among` if given."""
    return load_model().suggest(text, k, among)


# Function words that tell French from English, and Darija written in Latin letters.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(normalise(w) for w in text.split())


_FRENCH = _wordset(
    """le la les un une des du de et est il y a au aux dans sur pour pas ne plus rue devant
    depuis tres ca ce cette mon ma mes notre nous on qui que avec sans chez"""
)
_ENGLISH = _wordset(
    """the a an is are there of in on at to for and not no my our we it this that with near
    all night non stop they need before work spot sewer drain vehicle waste overflow
    since very street been has have broken outside please road light lights out bin trash
    garbage rubbish leak leaking water dog dogs tree fallen car sidewalk pavement hole"""
)
_DARIJA_LATIN = _wordset(
    " ".join(DARIJA_SPELLINGS)
    + """ f fi l had hadi hada wahed wa7ed 3la m3a bla mn men walo ila 7ta ghir
    bach ana howa hiya homa kolchi kolo 3ndna 3andna lyoum lbare7 nhar simana
    mkherba mherse mkser m7lol ta7t tay7 tay7a hofra zbel zbal kbira kbir tomobil
    lma l9ant lbala3a lpoubel kilab klab chjra chejra draw"""
)
_MIXED = re.compile("[a-z][\u0600-\u06ff]|[\u0600-\u06ff][a-z]")
# Darija's shapes in Latin letters: the negation ma...ch ("makhdamch"), the verb prefixes
# kay-/kan-/kat- ("kaysil"), participles in m- before a consonant ("mkherba", "mhers"),
# and the one-letter words w (and), f (in), b (with), l (the).
_DARIJA_SHAPE = re.compile(r"ma[a-z]{2,}ch|ka[ynt][a-z]{2,}|m[bcdfghjklmnqrstvwxz][a-z]{2,}|[wfbl]")
_ENGLISH_SHAPE = re.compile(r"[a-z]{2,}(?:ing|ed|ght)|[a-z]*th[a-z]*|[a-z]+n't")


def detect_language(text: str) -> str:
    """The language to answer in: "ar" for Arabic script or Darija, else "fr" or "en".

    Arabic script (MSA or Darija) -> ar. Latin text with Arabizi digits inside words
    ("l7ofra") or mostly Darija words and shapes ("kayn bzaf dyal zbel", "makhdamch") ->
    ar. Otherwise French and English words and endings are counted; a tie goes to
    French, the city's default.
    """
    if arabic_share(text) >= 0.5:
        return "ar"
    latin = normalise(text)
    tokens = latin.split()
    if not tokens:
        return "fr"
    raw = text.casefold()
    darija = sum(1 for t in tokens if t in _DARIJA_LATIN)
    # normalise turned Arabizi digits into Arabic letters inside Latin words ("lحofra").
    darija += 2 * sum(1 for t in tokens if _MIXED.search(t))
    darija += sum(1 for t in tokens if t not in _DARIJA_LATIN and _DARIJA_SHAPE.fullmatch(t))
    french = sum(1 for t in tokens if t in _FRENCH) + len(re.findall("[éèêàçù]", raw))
    english = sum(
        1 for t in tokens if t in _ENGLISH or (t not in _FRENCH and _ENGLISH_SHAPE.fullmatch(t))
    )
    if darija > max(french, english):
        return "ar"
    return "en" if english > french else "fr"
