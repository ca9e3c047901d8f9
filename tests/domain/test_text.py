"""The normaliser, one rule at a time, with spellings residents really type."""

from __future__ import annotations

import pytest

from citizen_api.domain.text import arabic_share, normalise, similarity, words


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("أمام", "امام"),  # alef with hamza above
        ("إصلاح", "اصلاح"),  # alef with hamza below
        ("آبار", "ابار"),  # alef with madda
        ("ٱلطريق", "الطريق"),  # alef wasla
        ("سؤال", "سوال"),  # waw with hamza
        ("بئر", "بير"),  # ya with hamza
        ("مسؤول", "مسول"),  # the folded و و then collapses like any doubled letter
    ],
)
def test_alef_and_hamza_forms_fold_to_their_bare_letter(typed, normal):
    assert normalise(typed) == normal


def test_alef_maqsura_is_read_as_ya():
    assert normalise("مستشفى") == normalise("مستشفي") == "مستشفي"
    assert normalise("على الطريق") == "علي الطريق"


def test_ta_marbuta_is_read_as_ha():
    assert normalise("حفرة") == normalise("حفره") == "حفره"
    assert normalise("الزنقة كبيرة") == "الزنقه كبيره"


def test_tatweel_only_stretches_a_word():
    assert normalise("كبيـــــرة") == normalise("كبيرة")


def test_diacritics_are_dropped():
    assert normalise("حُفْرَةٌ") == "حفره"
    assert normalise("الشَّارِعُ") == "الشارع"


def test_arabic_indic_digits_become_ascii():
    assert normalise("منذ ٣ أيام") == "منذ 3 ايام"
    assert normalise("رقم ۱۲") == "رقم 12"  # Eastern (Persian) forms too


def test_moroccan_letters_fold_to_the_standard_ones():
    # ڭ is the "g" of Darija ("الطوموبيل ڭاراج"); phones also type keheh and Persian ya.
    assert normalise("ڭاراج") == normalise("كاراج")
    assert normalise("کلب") == normalise("كلب")
    assert normalise("فی") == normalise("في")


@pytest.mark.parametrize(
    ("arabizi", "normal"),
    [
        ("l7ofra", "lحofra"),
        ("3afak", "عafak"),
        ("zen9a", "zenqa"),  # a Darija word with its own spelling, see below
        ("5ayba", "خayba"),
        ("sa2e9", "saءeق"),
        ("b8it", "bغit"),
    ],
)
def test_arabizi_digits_inside_a_word_are_letters(arabizi, normal):
    assert normalise(arabizi) == normal


@pytest.mark.parametrize("number", ["2", "2026", "3eme", "2e", "10h", "3m", "50cm"])
def test_numbers_units_and_ordinals_stay_numbers(number):
    assert normalise(number) == number


def test_darija_spellings_meet_on_one_form():
    assert normalise("kayn") == normalise("kain") == normalise("kayen") == normalise("kaine")
    assert normalise("bzaf") == normalise("bezzaf") == normalise("bzzzaaaf")
    assert normalise("dyal") == normalise("dial") == normalise("diyal")
    assert normalise("zen9a") == normalise("znqa") == normalise("zanqa")
    assert normalise("kayn wa7ed l7ofra kbira f zen9a") == normalise(
        "KAIN wa7ed l7ofra kbiraaa f znqa"
    )


def test_french_accents_case_and_ligatures_fold():
    assert normalise("Éclairage PUBLIC") == "eclairage public"
    assert normalise("Dépôt sauvage à côté") == "depot sauvage a cote"
    assert normalise("cœur") == "coeur"


def test_repeated_letters_collapse_so_that_typos_meet():
    assert normalise("trottoir") == normalise("trotoir")
    assert normalise("poubelle") == normalise("poubele")
    assert normalise("bzzzzzaf") == "bzaf"
    assert normalise("بززززاف") == "بزاف"
    assert normalise("100 m") == "100 m"  # digits are not letters


def test_punctuation_and_spacing_vanish():
    assert normalise("  Nid-de-poule !!!  rue 5, svp…") == "nid de poule rue 5 svp"
    assert normalise("واش كاين؟ ،") == "واش كاين"
    assert words("l'éclairage") == ["l", "eclairage"]
    assert normalise("") == ""


def test_arabic_presentation_forms_read_as_letters():
    # Some old phones send the isolated presentation forms (U+FExx) of each letter.
    assert normalise("\ufedf\ufe8e") == normalise("لا")


def test_similarity_sees_the_same_report_through_spelling():
    same = similarity("kayn wa7ed l7ofra kbira f zen9a", "kain wahed l7ofraa kbira f znqa")
    other = similarity("kayn wa7ed l7ofra kbira f zen9a", "lbarkassa 3amra bzaf")
    assert same > 0.7
    assert other < 0.2
    assert similarity("Lampadaire éteint", "lampadaire eteint") == pytest.approx(1.0)
    assert similarity("حفرة كبيرة", "حُفْرَه كبيره") == pytest.approx(1.0)
    assert similarity("", "anything") == 0.0


def test_similarity_is_symmetric_and_bounded():
    a, b = "fuite d'eau devant la maison", "grosse fuite d eau maison"
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert 0.0 < similarity(a, b) < 1.0


def test_arabic_share_counts_letters_only():
    assert arabic_share("حفرة كبيرة 123") == 1.0
    assert arabic_share("l7ofra kbira") == 0.0
    assert arabic_share("الpoteau") == pytest.approx(2 / 8)
    assert arabic_share("123 !!") == 0.0


def test_similarity_is_the_cosine_of_padded_trigram_counts():
    # Worked by hand: "abc" is " ab", "abc", "bc "; "abd" is " ab", "abd", "bd ":
    # one trigram of three shared, 1 / (sqrt(3) * sqrt(3)).
    assert similarity("abc", "abd") == pytest.approx(1 / 3)
    # "ab ab cd" counts " ab" and "ab " twice each, " cd" and "cd " once: the dot product
    # with "ab" is 2 + 2, the norms sqrt(2) and sqrt(4 + 4 + 1 + 1): 4 / sqrt(20).
    assert similarity("ab ab cd", "ab") == pytest.approx(4 / 20**0.5)
    assert similarity("ab", "ab ab cd") == pytest.approx(4 / 20**0.5)  # symmetric


def test_similarity_never_exceeds_one():
    # sqrt(3) * sqrt(3) rounds below 3 in floating point: the cosine is clamped to 1.
    assert similarity("abc", "abc") == 1.0
    assert similarity("abc abc xyz", "abc abc xyz") <= 1.0
