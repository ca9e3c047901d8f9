"""Service suggester benchmark: held-out accuracy per language, and time per query.

    .venv/bin/python bench/suggest.py [--rounds 5] [--repeat 3]

Accuracy: the shipped model (citizen_api/data/suggest_model.json, trained on the
training split only) against the held-out split of the corpus, top-1 and top-3, for
each way of writing (fr, ar = MSA, darija = Darija in Arabic script, arabizi, en).

Time: every held-out text is a query. Interleaved rounds (A B C A B C ...) of
  A  suggest(text)                 what the API calls, in-process
  B  normalise(text)               the floor: reading the text once
  C  scikit-learn's own pipeline   the same model inside scikit-learn (tf-idf +
                                   predict_proba on one text), if installed
reported as median microseconds per query (min-max over rounds) and as ratios to B.
Then, with --http, the same queries through the app in-process (Flask test client, an
embedded SpatiaLite database migrated and seeded in a temporary folder):
  D  GET /api/v1/services/suggest?q=...   the endpoint
  E  GET /healthz                         the baseline: a request that does nothing
Also the model's load time in a fresh process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from citizen_api.domain import suggest_train
from citizen_api.domain.suggest import load_model, suggest
from citizen_api.domain.text import normalise

TARGETS = {"top1_all": 0.85, "top3_all": 0.95, "top1_each": 0.75, "ms_per_query": 2.0}


def accuracy(held_out) -> dict[str, tuple[int, int, int]]:
    return suggest_train.evaluate(load_model(), held_out)


def sklearn_pipeline(training):
    """The same features and regression, scored by scikit-learn itself (a baseline)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    from citizen_api.domain.suggest import features

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=suggest_train.MIN_DF)
    matrix = vectorizer.fit_transform([e.text for e in training])
    classifier = LogisticRegression(C=suggest_train.REGULARISATION_C, solver="newton-cg")
    classifier.fit(matrix, [e.service for e in training])

    def predict(text):
        return classifier.predict_proba(vectorizer.transform([text]))

    return predict


def cold(fn):
    """`fn` with normalise's cache emptied first: every query is timed as if new."""

    def call(text):
        normalise.cache_clear()
        return fn(text)

    return call


def time_per_query(fn, texts, repeat) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            fn(text)
    return (time.perf_counter() - start) / (repeat * len(texts)) * 1e6


def load_cost() -> tuple[float, float]:
    """(ms, MB of RSS) to read the model, in a fresh process, imports excluded."""
    code = (
        "import time\n"
        "from citizen_api.domain.suggest import load_model\n"
        "def rss():\n"
        "    status = open('/proc/self/status').read()\n"
        "    return int(status.split('VmRSS:')[1].split()[0]) / 1024\n"
        "before, t = rss(), time.perf_counter()\n"
        "load_model()\n"
        "print((time.perf_counter() - t) * 1000, rss() - before)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    ms, mb = out.stdout.split()
    return float(ms), float(mb)


def by_halves(examples):
    """A harder split: train on the first half of each service's lines (in file order,
    i.e. as they were written), test on the second half. The corpus was written in two
    sittings, each saying similar things in the five ways of writing; the hash split
    can hold out a sentence whose translation was trained on, this one cannot."""
    from citizen_api.domain.suggest import Model

    first, second, seen = [], [], {}
    total = {}
    for e in examples:
        total[e.service] = total.get(e.service, 0) + 1
    for e in examples:
        seen[e.service] = seen.get(e.service, 0) + 1
        (first if seen[e.service] <= total[e.service] // 2 else second).append(e)
    model = suggest_train.fit(first + suggest_train.catalogue_examples())
    model["inputs_sha256"] = ""
    return suggest_train.evaluate(Model.from_json(model), second)


def http_rounds(texts, rounds, repeat) -> dict[str, list[float]]:
    """µs per request through the app's WSGI stack, endpoint vs the cheapest route."""
    import os
    import tempfile

    from citizen_api import create_app
    from citizen_api.cli import upgrade_database
    from citizen_api.cli.seed import seed
    from citizen_api.extensions import db

    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    folder = tempfile.mkdtemp(prefix="casa311-bench-suggest-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_database(db.engine)
        seed(db.session)
        db.session.commit()
    client = app.test_client()
    queries = texts[:100]

    def endpoint(text):
        response = client.get("/api/v1/services/suggest", query_string={"q": text})
        assert response.status_code == 200, response.json

    def health(_text):
        assert client.get("/healthz").status_code == 200

    contenders = {"GET /suggest": cold(endpoint), "GET /healthz": cold(health)}
    for fn in contenders.values():
        time_per_query(fn, queries[:10], 1)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            samples[name].append(time_per_query(fn, queries, repeat))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also time the endpoint")
    parser.add_argument(
        "--halves", action="store_true", help="also the first-half / second-half split"
    )
    args = parser.parse_args()

    examples = suggest_train.read_corpus()
    training, held_out = suggest_train.split(examples)
    model = load_model()
    print(
        f"corpus: {len(examples)} examples, {len(training)} training + catalogue texts, "
        f"{len(held_out)} held out; model: {len(model.rows)} features, "
        f"scikit-learn {model.meta.get('sklearn')}"
    )

    print("\n| written in | held out | top-1 | top-3 |\n|---|---|---|---|")
    results = accuracy(held_out)
    order = [*suggest_train.CORPUS_LANGUAGES, "all"]
    for lang in order:
        n, top1, top3 = results[lang]
        print(f"| {lang} | {n} | {top1 / n:.1%} | {top3 / n:.1%} |")

    if args.halves:
        halves = by_halves(examples)
        print("\n| written in (train 1st half, test 2nd) | tested | top-1 | top-3 |")
        print("|---|---|---|---|")
        for lang in order:
            n, top1, top3 = halves[lang]
            print(f"| {lang} | {n} | {top1 / n:.1%} | {top3 / n:.1%} |")

    texts = [e.text for e in held_out]
    contenders = {"suggest": cold(suggest), "normalise": cold(normalise.__wrapped__)}
    predict = sklearn_pipeline(training + suggest_train.catalogue_examples())
    if predict is not None:
        contenders["sklearn"] = cold(predict)
    for fn in contenders.values():  # warm up
        time_per_query(fn, texts[:20], 1)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            samples[name].append(time_per_query(fn, texts, args.repeat))

    floor = statistics.median(samples["normalise"])
    print(f"\n{args.rounds} interleaved rounds x {args.repeat} passes over {len(texts)} queries")
    print("\n| what | µs per query, median (min-max) | ratio to normalise |\n|---|---|---|")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"| {name} | {median:.0f} ({min(values):.0f}-{max(values):.0f}) | "
            f"{median / floor:.1f}x |"
        )
    ms, mb = load_cost()
    print(f"\nreading the model in a fresh process: {ms:.0f} ms, {mb:.1f} MB of RSS")

    if args.http:
        http = http_rounds(texts, args.rounds, args.repeat)
        base = statistics.median(http["GET /healthz"])
        print("\n| through the app (test client) | µs per request, median (min-max) | ratio |")
        print("|---|---|---|")
        for name, values in http.items():
            median = statistics.median(values)
            print(
                f"| {name} | {median:.0f} ({min(values):.0f}-{max(values):.0f}) | "
                f"{median / base:.1f}x |"
            )

    n, top1, top3 = results["all"]
    worst = min(results[lang][1] / results[lang][0] for lang in suggest_train.CORPUS_LANGUAGES)
    ms = statistics.median(samples["suggest"]) / 1000
    verdicts = {
        f"top-1 overall >= {TARGETS['top1_all']:.0%}": top1 / n >= TARGETS["top1_all"],
        f"top-3 overall >= {TARGETS['top3_all']:.0%}": top3 / n >= TARGETS["top3_all"],
        f"every language top-1 >= {TARGETS['top1_each']:.0%}": worst >= TARGETS["top1_each"],
        f"< {TARGETS['ms_per_query']} ms per query": ms < TARGETS["ms_per_query"],
    }
    print()
    for target, met in verdicts.items():
        print(f"- {target}: {'met' if met else 'NOT met'}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
