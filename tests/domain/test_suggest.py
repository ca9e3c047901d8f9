"""The service suggester: new phrasings in every language route to the right service."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from citizen_api.domain import suggest_train
from citizen_api.domain.suggest import CORPUS_PATH, MODEL_PATH, detect_language, load_model, suggest

# Written for this test, in none of the corpus's lines (checked below): a resident's
# way of saying it, and the service a clerk would file it under.
NEW_PHRASINGS = [
    ("fr", "Gros trou sur la route juste devant la boulangerie", "nid-de-poule"),
    ("fr", "le lampadaire de ma rue est éteint depuis lundi", "eclairage-panne"),
    ("fr", "les chiens errants aboient et font peur aux enfants", "animaux-errants"),
    ("fr", "voiture épave sans plaques depuis des mois", "vehicule-abandonne"),
    ("ar", "حفرة كبيرة قرب باب المدرسة", "nid-de-poule"),
    ("ar", "الحاوية ممتلئة والنفايات على الأرض منذ أيام", "bac-plein"),
    ("ar", "تسرب الماء من قناة مكسورة في الشارع", "fuite-eau"),
    ("darija", "الضو ديال الزنقة طافي هادي جوج ليالي", "eclairage-panne"),
    ("darija", "الكلاب بزاف فالحومة وكيتبعو الناس", "animaux-errants"),
    ("darija", "الواد الحار مسدود والريحة خانزة قدام الدار", "egout-bouche"),
    ("arabizi", "kayn wa7ed l7ofra kbira f zen9a dyalna", "nid-de-poule"),
    ("arabizi", "lbarkassa 3amra w zbel 3la lard", "bac-plein"),
    ("arabizi", "chajra kbira ta7t 3la triq", "arbre-dangereux"),
    ("en", "the traffic light at the crossroads is stuck on red", "feu-signalisation"),
    ("en", "someone dumped building rubble on the empty lot", "depot-sauvage"),
    ("en", "a cafe has filled the sidewalk with its tables", "occupation-domaine-public"),
]


def corpus_texts() -> set[str]:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["text"] for row in csv.DictReader(handle, delimiter="\t")}


def test_the_test_phrasings_are_not_in_the_corpus():
    assert not {text for _, text, _ in NEW_PHRASINGS} & corpus_texts()


@pytest.mark.parametrize(("lang", "text", "service"), NEW_PHRASINGS)
def test_a_new_phrasing_routes_to_its_service(lang, text, service):
    assert suggest(text, k=1)[0][0] == service


def test_suggest_answers_k_distinct_services_best_first_with_probabilities():
    answer = suggest("fuite d'eau devant la maison", k=3)
    assert len(answer) == 3
    assert len({code for code, _ in answer}) == 3
    scores = [score for _, score in answer]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)
    everything = suggest("fuite d'eau devant la maison", k=50)
    assert len(everything) == 12
    assert sum(s for _, s in everything) == pytest.approx(1.0, abs=0.01)


def test_text_the_model_has_never_seen_gets_no_confident_answer():
    # Nothing of this is in the corpus: the answer is close to the prior, not a guess at 90 %.
    top = suggest("qwxz", k=1)[0][1]
    assert top < 0.3


def test_the_model_is_loaded_once_per_process():
    assert load_model() is load_model()


def test_the_corpus_has_40_examples_per_service_in_every_way_of_writing():
    catalogue = json.loads(suggest_train.CATALOGUE_PATH.read_text())["service_types"]
    examples = suggest_train.read_corpus()
    per_service = Counter(e.service for e in examples)
    assert set(per_service) == {s["code"] for s in catalogue}
    assert min(per_service.values()) >= 40
    cells = Counter((e.service, e.lang) for e in examples)
    for code in per_service:
        for lang in suggest_train.CORPUS_LANGUAGES:
            assert cells[code, lang] >= 5, (code, lang)


def test_the_held_out_split_is_a_quarter_and_does_not_move():
    examples = suggest_train.read_corpus()
    training, held_out = suggest_train.split(examples)
    assert 0.18 < len(held_out) / len(examples) < 0.32
    assert not {e.text for e in training} & {e.text for e in held_out}
    # Membership depends on the example alone, not on the rest of the corpus.
    assert suggest_train.split(examples[::-1])[1] == held_out[::-1]


def test_the_shipped_model_was_trained_from_the_current_corpus_and_normaliser():
    assert load_model().inputs_sha256 == suggest_train.inputs_sha256(), (
        "data/suggest_model.json is stale: run `make suggest-model` and commit it"
    )


def test_training_again_gives_the_shipped_model():
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    fresh = suggest_train.train()
    assert fresh["services"] == shipped["services"]
    assert fresh["features"].keys() == shipped["features"].keys()
    worst = max(
        abs(a - b)
        for gram, row in fresh["features"].items()
        for a, b in zip(row, shipped["features"][gram], strict=True)
    )
    assert worst <= 0.002  # rounding to 3 decimals; another BLAS may move the last one


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("حفرة كبيرة في الطريق", "ar"),
        ("الضو طافي فالزنقة", "ar"),
        ("kayn wa7ed l7ofra kbira f zen9a", "ar"),
        ("zbel bzaf f derb", "ar"),
        ("Il y a un trou dans la rue", "fr"),
        ("Lampadaire éteint", "fr"),
        ("rue 2eme, 3m de large", "fr"),
        ("There is a pothole on my street", "en"),
        ("street light out", "en"),
        ("the lights keep flickering at night", "en"),
        ("lma makaynach f derb", "ar"),
        ("kaysil lma bzaf", "ar"),
        ("le pied du lampadaire est cassé", "fr"),
        ("", "fr"),
    ],
)
def test_the_language_to_answer_in(text, lang):
    assert detect_language(text) == lang


def test_the_language_of_nearly_every_corpus_line_is_right():
    # The corpus labels were written by hand; Darija in any script is answered in ar.
    expected = {"fr": "fr", "en": "en", "ar": "ar", "darija": "ar", "arabizi": "ar"}
    right, total = Counter(), Counter()
    for e in suggest_train.read_corpus():
        total[e.lang] += 1
        right[e.lang] += detect_language(e.text) == expected[e.lang]
    for lang in total:
        assert right[lang] / total[lang] >= 0.95, (lang, right[lang], total[lang])
