"""The report field rules at unit level: what each field accepts at its limits, and the
exact words a refused field is answered with (the API tests check that these reach
every way in)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from citizen_api.domain.report_fields import FormText, ReportFields

NUL = "Must not contain NUL (\\u0000) characters."
BASE = {"service_code": "nid-de-poule", "lat": 33.5925, "long": -7.6191}


def load(**fields):
    return ReportFields().load({**BASE, **fields})


def refused(**fields) -> dict:
    with pytest.raises(ValidationError) as error:
        load(**fields)
    return error.value.messages


def test_fields_at_their_limits_are_taken():
    taken = load(
        service_code="s" * 64,
        lat=90,
        long=-180,
        description="d" * 4000,
        address="a" * 300,
        phone="0" * 40,
        attributes={str(i): i for i in range(50)},
    )
    assert (taken["lat"], taken["long"], len(taken["attributes"])) == (90, -180, 50)
    assert load(lat=-90, long=180)["lat"] == -90
    assert load(description=None, address=None, phone=None)["description"] is None


def test_form_fields_are_parsed_from_their_text():
    taken = load(lat=FormText("33.5925"), long=FormText("-7.6191"), attributes=FormText('{"a": 1}'))
    assert (taken["lat"], taken["long"], taken["attributes"]) == (33.5925, -7.6191, {"a": 1})


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"service_code": ""}, {"service_code": ["Must be 1 to 64 characters."]}),
        ({"service_code": "s" * 65}, {"service_code": ["Must be 1 to 64 characters."]}),
        ({"lat": 90.0001}, {"lat": ["Must be a number between -90 and 90."]}),
        ({"long": -180.5}, {"long": ["Must be a number between -180 and 180."]}),
        ({"lat": "33.5"}, {"lat": ["Must be a number (not a string or a boolean)."]}),
        ({"long": True}, {"long": ["Must be a number (not a string or a boolean)."]}),
        ({"lat": FormText("abc")}, {"lat": ["Must be a decimal number, e.g. 33.5925."]}),
        ({"lat": FormText("nan")}, {"lat": ["Must be a decimal number, e.g. 33.5925."]}),
        ({"long": FormText("-inf")}, {"long": ["Must be a decimal number, e.g. 33.5925."]}),
        ({"lat": FormText("95")}, {"lat": ["Must be a number between -90 and 90."]}),
        (
            {"attributes": FormText("{bad")},
            {"attributes": ['Must be a JSON object, e.g. {"taille": "grand"}.']},
        ),
        ({"attributes": {str(i): i for i in range(51)}}, {"attributes": ["At most 50 answers."]}),
        ({"description": "d" * 4001}, {"description": ["Must be at most 4,000 characters."]}),
        ({"description": "<b>vite</b>"}, {"description": ["Must be plain text, without HTML."]}),
        ({"address": "a" * 301}, {"address": ["Must be at most 300 characters."]}),
        ({"phone": "0" * 41}, {"phone": ["Must be at most 40 characters."]}),
        ({"status": "closed"}, {"status": ["Unknown field."]}),
        ({"description": "trou\x00"}, {"description": [NUL]}),
        # a NUL in a name: the name is given escaped (the answer never echoes a NUL)
        ({"attributes": {"a\x00": 1}}, {"attributes.a\\u0000": [NUL]}),
        ({"attributes": {"a": ["ok", "x\x00"]}}, {"attributes.a.1": [NUL]}),
        ({"attributes": FormText('{"a": "x\\u0000"}')}, {"attributes.a": [NUL]}),
    ],
)
def test_a_refused_field_is_named_with_how_to_fix_it(fields, messages):
    assert refused(**fields) == messages


def test_text_that_merely_mentions_brackets_is_plain():
    assert load(description="profondeur < 10 cm et > 5 cm")["description"].startswith("prof")


def test_a_nul_in_a_top_level_name_is_named_escaped():
    assert refused(**{"k\x00": 1}) == {"k\x00": ["Unknown field."], "k\\u0000": [NUL]}
