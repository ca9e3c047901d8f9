"""Strings that are not text, bodies nested too deep, dates past the calendar and cursors
of the wrong type: each refused with a 4xx naming the field on every way in, and no
stored report made unreadable (issue 14, classes 1 and 2)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citizen_api.domain.text_safety import unusable_text
from tests.helpers import DOWNTOWN, count_reports, report
from tests.robustness.readers import unreadable

LONE = "\ud800"  # half of a surrogate pair: valid in a JSON escape, not a character
BODY = {"service_code": "nid-de-poule", **DOWNTOWN}


def raw_json(client, path, body, method="post", **headers):
    """Send `body` as JSON text exactly as written (json.dumps escapes a surrogate as
    \\ud800, which is what a hostile client sends)."""
    call = getattr(client, method)
    return call(path, data=json.dumps(body), content_type="application/json", headers=headers)


def assert_field_refused(response, field, status=422):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"], response.json
    return response


@pytest.fixture
def filed(client):
    created = report(client, description="Trou devant l'école")
    assert created.status_code == 201
    return created.json


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"description": f"trou {LONE}"}, "description"),
        ({"address": LONE}, "address"),
        ({"phone": f"06{LONE}"}, "phone"),
        ({"service_code": LONE}, "service_code"),
        ({"attributes": {"taille": f"grand{LONE}"}}, "attributes.taille"),
        ({"attributes": {LONE: "grand"}}, "attributes.\\ud800"),
        ({"attributes": {"taille": [LONE]}}, "attributes.taille.0"),
    ],
)
def test_a_lone_surrogate_in_a_json_report_is_422_naming_the_field(app, client, fields, named):
    before = count_reports(app)
    response = assert_field_refused(raw_json(client, "/api/v1/requests", {**BODY, **fields}), named)
    assert "surrogate" in response.json["errors"][named][0]
    assert count_reports(app) == before


def test_a_lone_surrogate_in_a_multipart_forms_attributes_is_422(app, client):
    form = {
        "service_code": "nid-de-poule",
        "lat": "33.5925",
        "long": "-7.6191",
        "attributes": '{"taille": "\\ud800"}',
    }
    response = client.post("/api/v1/requests", data=form, content_type="multipart/form-data")
    assert_field_refused(response, "attributes")
    assert count_reports(app) == 0


@pytest.mark.parametrize(
    "route",
    [
        "/api/v1/requests",
        "/open311/v2/requests.json",
    ],
)
def test_utf8_that_encodes_a_surrogate_in_a_form_is_replaced_not_stored_raw(
    app, client, hostile_staff, route
):
    """A form's bytes ED A0 80 (a surrogate spelled as UTF-8) cannot decode; the form
    reader replaces them, so what is stored is text every answer can show."""
    raw = b"service_code=nid-de-poule&lat=33.5925&long=-7.6191&description=trou%ED%A0%80"
    kind = "application/x-www-form-urlencoded"
    if route.startswith("/api"):
        boundary = "b0undary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v
            for k, v in [
                ("service_code", b"nid-de-poule"),
                ("lat", b"33.5925"),
                ("long", b"-7.6191"),
                ("description", b"trou\xed\xa0\x80"),
            ]
        ]
        raw = b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode()
        kind = f"multipart/form-data; boundary={boundary}"
    response = client.post(route, data=raw, content_type=kind)
    assert response.status_code < 500
    assert unreadable(app, client, hostile_staff["r-admin"]) == []


def test_a_lone_surrogate_in_a_query_or_url_never_reaches_the_database(client):
    for url in (
        "/api/v1/requests?service_code=%ED%A0%80",
        "/api/v1/requests/%ED%A0%80",
        "/open311/v2/requests.json?service_code=%ED%A0%80",
        "/r/%ED%A0%80",
    ):
        assert client.get(url).status_code < 500, url


def test_a_lone_surrogate_in_a_public_note_is_422_and_changes_nothing(
    app, client, hostile_staff, filed
):
    code, staff = filed["tracking_code"], hostile_staff["r-clerk"]
    url = f"/api/v1/triage/requests/{code}"
    before = client.get(url, headers=staff)
    response = raw_json(
        client,
        url,
        {"status": "acknowledged", "public_note": f"vu {LONE}"},
        method="patch",
        **staff,
        **{"If-Match": before.headers["ETag"]},
    )
    assert_field_refused(response, "public_note")
    after = client.get(url, headers=staff)
    assert after.status_code == 200
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json["status"] == "submitted"


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/v1/auth/token", {"username": LONE, "password": "x" * 12}, "username"),
        ("/api/v1/auth/token", {"username": "r-clerk", "password": LONE}, "password"),
        ("/api/v1/requests/{code}/supporters", {"device_id": LONE * 20}, "device_id"),
        ("/api/v1/requests/{code}/feedback", {"comment": LONE}, "comment"),
    ],
)
def test_a_lone_surrogate_is_422_on_every_other_json_route(client, filed, path, body, named):
    path = path.format(code=filed["tracking_code"])
    headers = {"X-Report-Token": filed["report_token"]}
    assert_field_refused(raw_json(client, path, body, **headers), named)


def nested(depth: int):
    body: object = "x"
    for _ in range(depth):
        body = [body]
    return body


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/requests"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/requests/{code}/supporters"),
        ("post", "/api/v1/requests/{code}/feedback"),
        ("patch", "/api/v1/triage/requests/{code}"),
    ],
)
def test_json_nested_too_deep_is_422_on_every_json_route(
    client, hostile_staff, filed, method, path, depth
):
    body = ("[" * depth + "1" + "]" * depth).encode()
    response = getattr(client, method)(
        path.format(code=filed["tracking_code"]),
        data=body,
        content_type="application/json",
        headers={**hostile_staff["r-clerk"], "If-Match": "*"},
    )
    assert_field_refused(response, "_body")
    assert "Nested deeper than" in response.json["errors"]["_body"][0]


def test_attributes_nested_too_deep_are_422(app, client):
    response = raw_json(client, "/api/v1/requests", {**BODY, "attributes": {"a": nested(40)}})
    assert_field_refused(response, "_body")
    assert count_reports(app) == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=9999-12-01", "start_date"),
        ("end_date=0001-01-02", "end_date"),
        ("start_date=0001-01-01T00:00:00%2B01:00", "start_date"),
        ("updated_after=9999-12-31T23:59:59-01:00", "updated_after"),
        ("updated_before=9999-12-31", "updated_before"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_dates_past_the_calendar_are_400_naming_the_field(client, query, field, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00%2B01:00", "1066-10-14T09:00:00Z"]
)
@pytest.mark.parametrize("field", ["created_after", "created_before", "updated_after"])
def test_native_dates_past_the_calendar_are_422_naming_the_field(client, field, value):
    response = client.get(f"/api/v1/requests?{field}={value}")
    assert_field_refused(response, field)
    assert "1900-01-01" in response.json["errors"][field][0]


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "values",
    [
        ["-requested", 12, 1],  # an int where a date-time goes
        ["-requested", True, 1],
        ["-requested", "2026-06-01T00:00:00+00:00", True],
        ["-requested", "2026-06-01T00:00:00", 1],  # no timezone
        ["-requested", "2026-06-01T00:00:00+00:00", 2**80],  # past BIGINT
        ["due", 5, 1],
        ["due", None, "1"],
        ["priority", "2026-06-01T00:00:00+00:00", None, 1],
        ["priority", 1, 7, 1],
        ["priority", 1],
        {"sort": "due"},
        "due",
    ],
)
def test_a_triage_cursor_of_the_wrong_types_is_422(client, hostile_staff, filed, values):
    sort = values[0] if isinstance(values, list) else "-requested"
    url = f"/api/v1/triage/requests?sort={sort}&cursor={cursor_of(values)}"
    assert_field_refused(client.get(url, headers=hostile_staff["r-clerk"]), "cursor")


@pytest.mark.parametrize(
    "values",
    [[12, 1], [True, 1], ["2026-06-01T00:00:00+00:00", 2**80], ["9999-12-31T00:00:00+00:00", 1]],
)
def test_a_resident_list_cursor_of_the_wrong_types_is_422(client, filed, values):
    url = f"/api/v1/requests?cursor={cursor_of(values)}"
    for accept in ("application/json", "application/geo+json"):
        assert_field_refused(client.get(url, headers={"Accept": accept}), "cursor")


def test_after_every_refusal_each_stored_report_is_still_readable(app, client, hostile_staff):
    filed = report(client, description="Trou", attributes=None)
    assert filed.status_code == 201
    for attack in ({"description": LONE}, {"attributes": {"x": LONE}}, {"address": LONE}):
        raw_json(client, "/api/v1/requests", {**BODY, **attack})
    client.post(
        "/api/v1/requests",
        data={**{k: str(v) for k, v in BODY.items()}, "photo": (io.BytesIO(b"x"), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert count_reports(app) == 1
    assert unreadable(app, client, hostile_staff["r-admin"]) == []


# Any text at all, lone surrogates and NULs included, nested in any JSON shape.
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=8)
JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=12,
)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(JSON_DATA)
def test_whatever_the_check_lets_through_can_be_encoded_and_stored(data):
    """The property every later answer relies on: data the one check accepts holds
    only strings that encode as UTF-8 and have no NUL."""
    if unusable_text(data):
        return
    for text in strings_in(data):
        assert "\x00" not in text
        text.encode("utf-8")  # raises on a lone surrogate
