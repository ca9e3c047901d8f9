"""One rule set for a report's fields: each rule holds alike for the native JSON body, the
multipart form (the way in with photos) and Open311's form-encoded create, and nothing is
filed when it is broken."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.helpers import DOWNTOWN, count_reports
from tests.open311.conftest import issue

POTHOLE = {"service_code": "nid-de-poule", "lat": DOWNTOWN["lat"], "long": DOWNTOWN["long"]}


def send_json(client, app, fields: dict):
    response = client.post("/api/v1/requests", json={**POTHOLE, **fields})
    return response, _problem_fields(response)


def send_multipart(client, app, fields: dict):
    form = {**POTHOLE, **fields}
    if isinstance(form.get("attributes"), dict):
        form["attributes"] = _json(form["attributes"])
    boundary, body = encode_multipart(MultiDict({k: str(v) for k, v in form.items()}))
    response = client.post(
        "/api/v1/requests", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return response, _problem_fields(response)


def send_open311(client, app, fields: dict):
    form = {"api_key": issue(app), **POTHOLE, **fields}
    if "address" in form:
        form["address_string"] = form.pop("address")
    for code, value in form.pop("attributes", {}).items():
        form[f"attribute[{code}]"] = value
    response = client.post("/open311/v2/requests.json", data={k: str(v) for k, v in form.items()})
    named = set()
    if response.status_code == 400:  # the spec's array of {code, description: "field: ..."}
        named = {item["description"].split(":")[0] for item in response.json}
    return response, named


def _problem_fields(response) -> set[str]:
    if response.status_code != 422:
        return set()
    assert response.content_type == "application/problem+json"
    return set(response.json["errors"])


def _json(value: dict) -> str:
    import json

    return json.dumps(value)


WAYS_IN = {"json": send_json, "multipart": send_multipart, "open311": send_open311}
REFUSED = {"json": 422, "multipart": 422, "open311": 400}

# (rule, fields that break it, the field named in the answer: native API, Open311)
BROKEN = [
    ("description at most 4,000 characters", {"description": "x" * 4001}, "description", None),
    ("description is plain text", {"description": "Trou <b>énorme</b>"}, "description", None),
    ("address at most 300 characters", {"address": "rue " * 76}, "address", "address_string"),
    ("phone at most 40 characters", {"phone": "0" * 41}, "phone", None),
    ("phone is a Moroccan mobile", {"phone": "0522 12 34 56"}, "phone", None),
    ("service code at most 64 characters", {"service_code": "s" * 65}, "service_code", None),
    ("lat between -90 and 90", {"lat": 91}, "lat", None),
    ("long between -180 and 180", {"long": -181}, "long", None),
    ("attribute answers among the values", {"attributes": {"taille": "immense"}}, "taille", None),
    ("attributes of this service only", {"attributes": {"couleur": "rouge"}}, "couleur", None),
]


@pytest.mark.parametrize("way", WAYS_IN)
@pytest.mark.parametrize(
    ("rule", "fields", "native_name", "open311_name"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_each_rule_holds_on_every_way_in(app, client, way, rule, fields, native_name, open311_name):
    before = count_reports(app)
    response, named = WAYS_IN[way](client, app, fields)
    assert response.status_code == REFUSED[way], response.get_data(as_text=True)
    expected = (open311_name or native_name) if way == "open311" else native_name
    assert expected in named
    assert count_reports(app) == before


@pytest.mark.parametrize("way", WAYS_IN)
def test_a_report_within_every_rule_is_filed_on_every_way_in(app, client, way):
    fields = {
        "description": "x" * 4000,
        "address": "a" * 300,
        "phone": "06 12 34 56 78",
        "attributes": {"taille": "petit"},
    }
    response, _ = WAYS_IN[way](client, app, fields)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    assert count_reports(app) == 1
