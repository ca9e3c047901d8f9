"""Train the service suggester from the project's own corpus.

Run `python -m citizen_api.domain.suggest_train` (or `make suggest-model`, or
`flask --app citizen_api suggest train`); `--check` only compares with the shipped model.

Reads data/suggest_corpus.tsv (service, lang, text), keeps a held-out split that never
changes when examples are added elsewhere (an example is held out when the SHA-256 of
its service and text falls in the lowest quarter), fits scikit-learn's tf-idf over the
same features the app scores with (`suggest.features`) and a multinomial logistic
regression (lbfgs: deterministic, no random state), and writes the weights as JSON with
sorted keys and rounded floats, so two runs with the same scikit-learn give the same file.

scikit-learn is needed here only (the `train` extra, in the test and dev installs); the
app itself scores with `suggest.Model` in plain Python.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from citizen_api.domain import suggest as suggest_module
from citizen_api.domain import text as text_module
from citizen_api.domain.suggest import CORPUS_PATH, MODEL_PATH, Model, features

CORPUS_LANGUAGES = ("fr", "ar", "darija", "arabizi", "en")
HELD_OUT_PERCENT = 25
REGULARISATION_C = 20.0  # weak regularisation: the corpus is small and clean
MIN_DF = 2  # an n-gram seen in one example only is noise, and it bloats the artefact
DECIMALS = 3
CATALOGUE_PATH = CORPUS_PATH.parent / "catalogue.json"
TEXT_CODE = Path(text_module.__file__)


@dataclass(frozen=True)
class Example:
    service: str
    lang: str
    text: str

    @property
    def held_out(self) -> bool:
        digest = hashlib.sha256(f"{self.service}\t{self.text}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


class CorpusError(ValueError):
    """The corpus file has a line the trainer cannot use."""


def inputs_sha256(corpus: Path = CORPUS_PATH) -> str:
    """A digest of everything the model is made from: the corpus, the catalogue and the
    code that turns text into features. A shipped model with another digest is stale."""
    digest = hashlib.sha256()
    for path in (corpus, CATALOGUE_PATH, TEXT_CODE):
        digest.update(path.read_bytes())
    digest.update(inspect.getsource(suggest_module.features).encode())
    digest.update(repr(suggest_module.NGRAM_SIZES).encode())
    return digest.hexdigest()


def read_corpus(path: Path = CORPUS_PATH, catalogue: Path = CATALOGUE_PATH) -> list[Example]:
    """The labelled examples; every service must be in the catalogue, every lang known."""
    services = {s["code"] for s in json.loads(catalogue.read_text())["service_types"]}
    examples, seen = [], {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            service, lang, text = row["service"], row["lang"], (row["text"] or "").strip()
            if service not in services:
                raise CorpusError(f"line {number}: unknown service {service!r}")
            if lang not in CORPUS_LANGUAGES:
                raise CorpusError(f"line {number}: lang must be one of {CORPUS_LANGUAGES}")
            if not text:
                raise CorpusError(f"line {number}: empty text")
            if text in seen:
                raise CorpusError(f"line {number}: the same text is on line {seen[text]}")
            seen[text] = number
            examples.append(Example(service, lang, text))
    return examples


def catalogue_examples(catalogue: Path = CATALOGUE_PATH) -> list[Example]:
    """The catalogue's own names, descriptions and keywords, as training examples.

    They carry each service's canonical vocabulary in fr, ar and en; they are always
    trained on, never held out (they are not how residents write).
    """
    examples = []
    for service in json.loads(catalogue.read_text())["service_types"]:
        code = service["code"]
        for lang in ("fr", "ar", "en"):
            for field in ("name", "description"):
                if service.get(f"{field}_{lang}"):
                    examples.append(Example(code, lang, service[f"{field}_{lang}"]))
        if service.get("keywords"):
            examples.append(Example(code, "fr", service["keywords"]))
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held-out): deterministic, stable under additions to the corpus."""
    return [e for e in examples if not e.held_out], [e for e in examples if e.held_out]


def fit(examples: list[Example], c: float = REGULARISATION_C) -> dict:
    """Fit on `examples` and return the model as the JSON document `Model` reads."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, norm="l2", min_df=MIN_DF)
    matrix = vectorizer.fit_transform([e.text for e in examples])
    # newton-cg: exact, deterministic, and ~5x faster than lbfgs on this problem.
    classifier = LogisticRegression(C=c, solver="newton-cg", max_iter=500)
    classifier.fit(matrix, [e.service for e in examples])
    coef = classifier.coef_.T  # one row per feature, one column per service
    return {
        "services": [str(s) for s in classifier.classes_],
        "intercepts": [round(float(b), DECIMALS) for b in classifier.intercept_],
        "features": {
            gram: [round(float(vectorizer.idf_[i]), DECIMALS)]
            + [round(float(w), DECIMALS) for w in coef[i]]
            for gram, i in sorted(vectorizer.vocabulary_.items())
        },
    }


def train(corpus: Path = CORPUS_PATH) -> dict:
    """The shipped model: fitted on the training split only, so the held-out split stays
    unseen and the benchmark's figures are those of the model the app serves."""
    import sklearn

    training, held_out = split(read_corpus(corpus))
    model = fit(training + catalogue_examples())
    model["inputs_sha256"] = inputs_sha256(corpus)
    model["meta"] = {
        "trained_on": len(training),
        "held_out": len(held_out),
        "sklearn": sklearn.__version__,
        "c": REGULARISATION_C,
        "min_df": MIN_DF,
    }
    return model


def dump(model: dict) -> str:
    """The model as JSON, one feature per line (sorted), so that a diff is readable."""

    def compact(value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    head = {k: v for k, v in model.items() if k != "features"}
    lines = [f"{compact(gram)}:{compact(row)}" for gram, row in sorted(model["features"].items())]
    body = ",\n".join(lines)
    return compact(head)[:-1] + ',\n"features":{\n' + body + "\n}}\n"


def evaluate(model: Model, examples: list[Example]) -> dict[str, tuple[int, int, int]]:
    """Per corpus language and overall: (examples, right at top 1, right in top 3)."""
    tally: dict[str, list[int]] = {}
    for e in examples:
        ranked = [code for code, _ in model.suggest(e.text, k=3)]
        for key in (e.lang, "all"):
            row = tally.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += ranked[0] == e.service
            row[2] += e.service in ranked
    return {k: tuple(v) for k, v in tally.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the service suggester.")
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped model is stale")
    args = parser.parse_args(argv)
    text = dump(train(args.corpus))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("model is up to date" if same else f"{args.out} differs from a fresh training")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
