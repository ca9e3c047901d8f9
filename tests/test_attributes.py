"""Answers to a service's attributes, each datatype's rules and the words a resident (or
a partner app) reads when an answer is refused. Unit level: made-up definitions, no
database; the API tests check the same rules reach the 422 and Open311's 400."""

from __future__ import annotations

import pytest

from citizen_api.domain.attributes import validate_attributes
from models import ServiceAttribute

SIZES = [{"key": "small", "name": "Petit"}, {"key": "large", "name": "Grand"}]


def attribute(code, datatype, required=False, values=None):
    return ServiceAttribute(code=code, datatype=datatype, required=required, values=values)


DEFINITIONS = [
    attribute("depth", "number", required=True),
    attribute("seen_at", "datetime"),
    attribute("plate", "string"),
    attribute("notes", "text"),
    attribute("size", "singlevaluelist", values=SIZES),
    attribute("hazards", "multivaluelist", values=SIZES),
]


def check(**answers):
    return validate_attributes(DEFINITIONS, answers)


def test_good_answers_come_back_cleaned():
    clean, errors = check(
        depth="12.0",
        seen_at="2026-06-09T10:15:00Z",
        plate="  12345-A-6  ",
        notes="x" * 2000,
        size="large",
        hazards=["small", "large", "small"],
    )
    assert errors == {}
    assert clean == {
        "depth": 12,
        "seen_at": "2026-06-09T10:15:00+00:00",
        "plate": "12345-A-6",
        "notes": "x" * 2000,
        "size": "large",
        "hazards": ["small", "large"],
    }


@pytest.mark.parametrize(
    ("answer", "clean"),
    [(3, 3), (2.5, 2.5), ("7", 7), ("-0.25", -0.25), ("1e3", 1000)],
)
def test_numbers_in_any_json_or_form_spelling(answer, clean):
    assert check(depth=answer) == ({"depth": clean}, {})
    # A whole number is kept whole (stored and shown as 7, not 7.0).
    assert type(check(depth=answer)[0]["depth"]) is type(clean)


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({}, {"depth": ["This attribute is required for this service."]}),
        ({"depth": ""}, {"depth": ["This attribute is required for this service."]}),
        ({"depth": []}, {"depth": ["This attribute is required for this service."]}),
        ({"depth": True}, {"depth": ["Must be a number."]}),
        ({"depth": "deep"}, {"depth": ["Must be a number."]}),
        ({"depth": [1]}, {"depth": ["Must be a number."]}),
        ({"depth": "nan"}, {"depth": ["Must be a finite number."]}),
        ({"depth": "inf"}, {"depth": ["Must be a finite number."]}),
        (
            {"depth": 1, "seen_at": 20260609},
            {"seen_at": ["Must be an ISO 8601 date-time string."]},
        ),
        (
            {"depth": 1, "seen_at": "9 juin"},
            {"seen_at": ["Must be an ISO 8601 date-time, e.g. 2026-06-09T10:15:00+01:00."]},
        ),
        (
            {"depth": 1, "seen_at": "2026-06-09T10:15:00"},
            {"seen_at": ["Must carry a timezone, e.g. 2026-06-09T10:15:00+01:00."]},
        ),
        ({"depth": 1, "plate": 12}, {"plate": ["Must be a string."]}),
        ({"depth": 1, "plate": "x" * 201}, {"plate": ["Must be at most 200 characters."]}),
        ({"depth": 1, "notes": "x" * 2001}, {"notes": ["Must be at most 2000 characters."]}),
        ({"depth": 1, "size": "huge"}, {"size": ["Must be one of: small, large."]}),
        (
            {"depth": 1, "hazards": ["small", "huge", "tiny"]},
            {"hazards": ["Unknown values huge, tiny; choose among: small, large."]},
        ),
        (
            {"depth": 1, "hazards": ["small", 3]},
            {"hazards": ["Must be a list of values among: small, large."]},
        ),
        (
            {"depth": 1, "colour": "red"},
            {
                "colour": [
                    "Unknown attribute for this service "
                    "(known: depth, seen_at, plate, notes, size, hazards)."
                ]
            },
        ),
    ],
)
def test_a_refused_answer_says_how_to_fix_it(answers, errors):
    clean, found = check(**answers)
    assert found == errors
    assert not set(found) & set(clean)


def test_one_value_for_a_multiple_choice_is_a_list_of_one():
    assert check(depth=1, hazards="small") == ({"depth": 1, "hazards": ["small"]}, {})


def test_a_service_without_attributes_names_none_as_known():
    assert validate_attributes([], {"x": 1}) == (
        {},
        {"x": ["Unknown attribute for this service (known: none)."]},
    )
    assert validate_attributes([], None) == ({}, {})
