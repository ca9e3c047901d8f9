"""GET requests (list and one) and tokens: the record, status mapping, filters, extensions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.open311.conftest import (
    REQUEST_FIELDS,
    V2,
    change_status,
    created_id,
    errors_of,
    parse_xml,
)

NOW = dt.datetime.now(dt.UTC)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["service_request_id"] for r in response.json]


def test_one_request_is_a_one_element_array_with_every_spec_field(client, api_key):
    code = created_id(client, api_key)
    response = client.get(f"{V2}/requests/{code}.json")
    assert response.content_type == "application/json; charset=utf-8"
    (record,) = response.json
    assert list(record) == REQUEST_FIELDS
    assert isinstance(record["lat"], float) and isinstance(record["long"], float)
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert dt.datetime.fromisoformat(record[field]).tzinfo is not None
    assert record["address_id"] is None and record["zipcode"] is None


def test_one_request_in_xml_is_service_requests_request(client, api_key):
    code = created_id(client, api_key)
    root = parse_xml(client.get(f"{V2}/requests/{code.lower()}.xml"))
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == code
    assert request.findtext("status") == "open"
    assert float(request.findtext("lat")) == pytest.approx(33.5925)
    assert request.find("zipcode").text is None  # an empty element


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "not-a-code"])
def test_an_unknown_request_is_404(client, fmt, code):
    response = client.get(f"{V2}/requests/{code}.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt)[0]["code"] == 404


@pytest.mark.parametrize(
    ("status", "spec_status"),
    [
        ("acknowledged", "open"),
        ("in_progress", "open"),
        ("resolved", "closed"),
        ("closed", "closed"),
        ("rejected", "closed"),
        ("duplicate", "closed"),
    ],
)
def test_statuses_map_to_open_or_closed_with_the_detail_in_status_notes(
    app, client, api_key, status, spec_status
):
    code = created_id(client, api_key)
    change_status(app, code, status, note="Équipe passée le matin.")
    change_status(app, code, status, note="Note interne", public=False)
    (record,) = client.get(f"{V2}/requests/{code}.json?extensions=true").json
    assert record["status"] == spec_status
    assert record["status_notes"].endswith("Équipe passée le matin.")
    assert record["extended_attributes"]["detailed_status"] == status
    assert "Note interne" not in str(record)


def test_status_notes_speak_the_readers_language(app, client, api_key):
    code = created_id(client, api_key)
    change_status(app, code, "in_progress")
    assert (
        client.get(f"{V2}/requests/{code}.json?lang=ar").json[0]["status_notes"] == "قيد المعالجة"
    )
    assert client.get(f"{V2}/requests/{code}.json?lang=en").json[0]["status_notes"] == "In progress"


def test_the_list_filters_by_status(app, client, api_key):
    open_one, closed_one = created_id(client, api_key), created_id(client, api_key)
    change_status(app, closed_one, "resolved")
    assert ids(client.get(f"{V2}/requests.json?status=open")) == [open_one]
    assert ids(client.get(f"{V2}/requests.json?status=closed")) == [closed_one]
    assert len(ids(client.get(f"{V2}/requests.json?status=open,closed"))) == 2
    wrong = client.get(f"{V2}/requests.xml?status=resolved")
    assert wrong.status_code == 400 and errors_of(wrong, "xml")[0]["code"] == 400


def test_the_list_filters_by_service_codes(client, api_key):
    pothole = created_id(client, api_key)
    leak = created_id(
        client, api_key, service_code="fuite-eau", **{"attribute[source]": "chaussee"}
    )
    light = created_id(client, api_key, service_code="eclairage-panne")
    assert ids(client.get(f"{V2}/requests.json?service_code=nid-de-poule")) == [pothole]
    both = ids(client.get(f"{V2}/requests.json?service_code=fuite-eau,eclairage-panne"))
    assert both == [light, leak]  # newest first
    assert client.get(f"{V2}/requests.json?service_code=licorne").status_code == 400


def test_service_request_ids_override_every_other_filter(app, client, api_key):
    first, second, _ = (created_id(client, api_key) for _ in range(3))
    change_status(app, first, "closed", requested_at=NOW - dt.timedelta(days=200))
    query = (
        f"service_request_id={first},{second.lower()}"
        "&status=open&service_code=fuite-eau&start_date=2020-01-01&end_date=2020-02-01"
    )
    assert sorted(ids(client.get(f"{V2}/requests.json?{query}"))) == sorted([first, second])


def test_the_default_list_is_the_last_90_days(app, client, api_key):
    recent, old = created_id(client, api_key), created_id(client, api_key)
    change_status(app, old, "submitted", requested_at=NOW - dt.timedelta(days=100))
    assert ids(client.get(f"{V2}/requests.json")) == [recent]
    start = (NOW - dt.timedelta(days=120)).date().isoformat()
    end = (NOW - dt.timedelta(days=60)).date().isoformat()
    assert ids(client.get(f"{V2}/requests.json?start_date={start}&end_date={end}")) == [old]
    assert ids(client.get(f"{V2}/requests.json?start_date={start}")) == [old]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z",  # 120 days
        "start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z",  # backwards
        "start_date=2026-03-01T10:00:00",  # no timezone
        "start_date=yesterday",
        "updated_after=2026-03-02T00:00:00Z&updated_before=2026-03-01T00:00:00Z",
        "page=0",
        "page_size=1001",
        "lat=33.59&long=-7.62",
        "radius=100",
        "bbox=1,2,3",
        "extensions=maybe",
        "lang=de",
    ],
)
def test_bad_list_arguments_are_400(client, query):
    for fmt in ("json", "xml"):
        response = client.get(f"{V2}/requests.{fmt}?{query}")
        assert response.status_code == 400, query
        assert errors_of(response, fmt)[0]["code"] == 400


def test_a_timezone_offset_is_understood_even_with_its_plus_unescaped(client, api_key):
    code = created_id(client, api_key)
    start = (NOW - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=1)))
    raw = start.replace(microsecond=0).isoformat()  # ...+01:00, '+' sent as is
    assert ids(client.get(f"{V2}/requests.json?start_date={raw}")) == [code]


def test_empty_parameters_are_ignored_on_the_list(client, api_key):
    code = created_id(client, api_key)
    query = "status=&service_code=&start_date=&end_date=&page=&page_size=&bbox=&lat=&extensions="
    response = client.get(f"{V2}/requests.json?{query}&service_request_id=")
    assert ids(response) == [code]
    assert "extended_attributes" not in response.json[0]


def test_pages(client, api_key):
    codes = [created_id(client, api_key) for _ in range(5)][::-1]  # newest first
    assert ids(client.get(f"{V2}/requests.json?page_size=2")) == codes[:2]
    assert ids(client.get(f"{V2}/requests.json?page_size=2&page=3")) == codes[4:]
    assert ids(client.get(f"{V2}/requests.json?page_size=2&page=4")) == []


def test_updated_after_and_before_select_recent_changes(app, client, api_key):
    old, changed = created_id(client, api_key), created_id(client, api_key)
    change_status(
        app,
        old,
        "submitted",
        requested_at=NOW - dt.timedelta(days=200),
        updated_at=NOW - dt.timedelta(days=150),
    )
    change_status(app, changed, "resolved", requested_at=NOW - dt.timedelta(days=200))
    since = (NOW - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(client.get(f"{V2}/requests.json?updated_after={since}")) == [changed]
    assert ids(client.get(f"{V2}/requests.json?updated_before={since}")) == [old]


def test_requests_near_a_point_or_in_a_box(client, api_key):
    downtown = created_id(client, api_key)
    far = created_id(client, api_key, lat="33.5300", long="-7.5800")  # ~7 km away
    near = "lat=33.5930&long=-7.6190&radius=500"
    assert ids(client.get(f"{V2}/requests.json?{near}")) == [downtown]
    box = "bbox=-7.60,33.52,-7.57,33.54"
    assert ids(client.get(f"{V2}/requests.json?{box}")) == [far]


def test_extensions_add_extended_attributes_and_public_notes(app, client, api_key):
    code = created_id(client, api_key)
    change_status(app, code, "acknowledged", note="Transmis à la voirie.")
    change_status(app, code, "in_progress", note="Secret", public=False)
    (plain,) = client.get(f"{V2}/requests/{code}.json").json
    assert "extended_attributes" not in plain and "notes" not in plain
    (record,) = client.get(f"{V2}/requests.json?extensions=true").json
    extended = record["extended_attributes"]
    assert extended["channel"] == "open311"
    assert extended["area"] == {"code": "sidi-belyout", "name": "Sidi Belyout"}
    assert extended["duplicate"] is None and extended["parent_service_request_id"] is None
    assert extended["photos"] == []
    assert [n["type"] for n in record["notes"]] == ["submitted", "status_changed"]
    assert record["notes"][1]["description"] == "Transmis à la voirie."
    assert record["notes"][1]["summary"] == "Pris en compte"
    assert all(dt.datetime.fromisoformat(n["datetime"]).tzinfo for n in record["notes"])

    (request,) = parse_xml(client.get(f"{V2}/requests/{code}.xml?extensions=true"))
    assert request.findtext("extended_attributes/area/code") == "sidi-belyout"
    assert request.find("extended_attributes/photos") is not None
    notes = request.find("notes")
    assert [n.tag for n in notes] == ["note", "note"]
    assert notes[1].findtext("description") == "Transmis à la voirie."
    assert "Secret" not in client.get(f"{V2}/requests/{code}.xml?extensions=true").get_data(
        as_text=True
    )


def test_text_xml_cannot_carry_is_dropped_from_xml_only(client, api_key):
    code = created_id(client, api_key, description="bip\x07 fin")
    assert client.get(f"{V2}/requests/{code}.json").json[0]["description"] == "bip\x07 fin"
    (request,) = parse_xml(client.get(f"{V2}/requests/{code}.xml"))
    assert request.findtext("description") == "bip fin"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_gives_the_request_id(client, api_key, fmt):
    code = created_id(client, api_key)
    response = client.get(f"{V2}/tokens/{code}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json == [{"service_request_id": code, "token": code}]
    else:
        root = parse_xml(response)
        assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
        assert [c.tag for c in root[0]] == ["service_request_id", "token"]
    unknown = client.get(f"{V2}/tokens/ZZZZ-ZZZZ.{fmt}")
    assert unknown.status_code == 404 and errors_of(unknown, fmt)[0]["code"] == 404
