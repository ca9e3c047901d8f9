"""POST requests: form-encoded, an api_key, validated and routed like a native report."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ReporterContact, RequestEvent, ServiceRequest
from tests.helpers import DOWNTOWN, report
from tests.open311.conftest import V2, create, created_id, errors_of, parse_xml


def test_create_answers_a_one_element_array_with_the_tracking_code(client, api_key):
    response = create(client, api_key)
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    (answer,) = response.json
    assert set(answer) == {"service_request_id", "service_notice"}
    assert len(answer["service_request_id"]) == 9 and answer["service_request_id"][4] == "-"
    assert "72" in answer["service_notice"]
    with_account = create(client, api_key, account_id="acct-7").json[0]
    assert with_account["account_id"] == "acct-7"


def test_create_in_xml_is_service_requests_of_request(client, api_key):
    root = parse_xml(create(client, api_key, "xml", account_id="acct-7"))
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "c311_not-a-real-key"])
def test_create_without_a_valid_key_is_403(client, fmt, key):
    response = create(client, key, fmt)
    assert response.status_code == 403
    (error,) = errors_of(response, fmt)
    assert error["code"] == 403 and "api_key" in error["description"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"service_code": None}, "service_code"),
        ({"service_code": "licorne"}, "service_code"),
        ({"lat": "north"}, "lat"),
        ({"lat": "95"}, "lat"),
        ({"long": None}, "lat"),
        ({"lat": None, "long": None, "address_string": "Bd Zerktouni"}, "lat"),
        ({"lat": "48.85", "long": "2.35"}, "lat"),  # Paris
        ({"description": "x" * 4001}, "description"),
        ({"description": "Voir <a href='http://x'>ici</a>"}, "description"),
        ({"attribute[taille]": "enorme"}, "taille"),
        ({"attribute[couleur]": "rouge"}, "couleur"),
        ({"phone": "0522123456"}, "phone"),  # a fixed line gets no SMS
        ({"jurisdiction_id": "rabat.ma"}, "jurisdiction_id"),
        ({"description": "a\x00b"}, "description"),  # no database can store a NUL
        ({"attribute[taille]": "grand\x00"}, "attribute[taille]"),
    ],
)
def test_bad_fields_are_400_naming_the_field(client, api_key, fields, field):
    for fmt in ("json", "xml"):
        response = create(client, api_key, fmt, **fields)
        assert response.status_code == 400, response.get_data(as_text=True)
        errors = errors_of(response, fmt)
        assert all(e["code"] == 400 for e in errors)
        assert any(e["description"].startswith(f"{field}:") for e in errors), errors
    with client.application.app_context():
        assert db.session.scalar(select(ServiceRequest.id)) is None


def test_a_json_body_is_refused_with_a_hint(client, api_key):
    response = client.post(f"{V2}/requests.json", json={"api_key": api_key})
    assert response.status_code == 400
    assert "form-encoded" in response.json[0]["description"]


@pytest.mark.parametrize(
    ("service", "attributes"),
    [
        ("depot-sauvage", {}),  # a required attribute missing
        ("depot-sauvage", {"nature": ["gravats", "ordures"]}),
        ("feu-signalisation", {"etat": ["eteint", "clignotant"]}),  # single value list
        ("eclairage-panne", {"nombre_lampadaires": "beaucoup"}),
        ("vehicule-abandonne", {"vu_depuis": "2026-06-09T10:15:00"}),  # no timezone
    ],
)
def test_attributes_are_refused_exactly_where_the_native_api_refuses_them(
    client, api_key, service, attributes
):
    native = report(client, service_code=service, attributes=attributes)
    form = {}
    for code, value in attributes.items():
        if isinstance(value, list):
            form[f"attribute[{code}][]"] = value
        else:
            form[f"attribute[{code}]"] = value
    open311 = create(client, api_key, service_code=service, **form)
    assert native.status_code == 422 and open311.status_code == 400
    fields = {e["description"].split(":")[0] for e in open311.json}
    assert fields == set(native.json["errors"])


def test_attributes_are_stored_like_native_answers(app, client, api_key):
    code = created_id(
        client,
        api_key,
        service_code="depot-sauvage",
        **{"attribute[nature][]": ["gravats", "encombrants"]},
    )
    lamp = created_id(
        client,
        api_key,
        service_code="eclairage-panne",
        **{"attribute[nombre_lampadaires]": "3", "attribute[numero_poteau]": " P-12 "},
    )
    with app.app_context():
        stored = dict(
            db.session.execute(
                select(ServiceRequest.tracking_code, ServiceRequest.attributes)
            ).all()
        )
    assert stored[code] == {"nature": ["gravats", "encombrants"]}
    assert stored[lamp] == {"nombre_lampadaires": 3, "numero_poteau": "P-12"}


def test_an_empty_parameter_is_an_absent_one(app, client, api_key):
    response = create(
        client,
        api_key,
        description="",
        address_string=" ",
        account_id="",
        email="",
        phone="",
        jurisdiction_id="",
        **{"attribute[taille]": "", "attribute[voie_bloquee][]": ""},
    )
    assert response.status_code == 200, response.json
    assert "account_id" not in response.json[0]
    code = response.json[0]["service_request_id"]
    record = client.get(f"{V2}/requests/{code}.json").json[0]
    assert record["description"] is None and record["address"] is None
    required_but_empty = create(
        client, api_key, service_code="depot-sauvage", **{"attribute[nature][]": ""}
    )
    assert required_but_empty.status_code == 400


def test_the_configured_jurisdiction_is_accepted(client, api_key):
    assert create(client, api_key, jurisdiction_id="casablanca.ma").status_code == 200


def test_arabic_text_round_trips_in_both_formats(client, api_key):
    text, address = "حفرة كبيرة أمام المدرسة", "شارع محمد الخامس"
    code = created_id(client, api_key, description=text, address_string=address)
    assert client.get(f"{V2}/requests/{code}.json").json[0]["description"] == text
    (request,) = parse_xml(client.get(f"{V2}/requests/{code}.xml?lang=ar"))
    assert request.findtext("description") == text
    assert request.findtext("address") == address
    assert request.findtext("service_name") == "حفرة في الطريق"


def test_contact_fields_stay_private(app, client, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    contact = {
        "email": "fatima.zahra@example.ma",
        "first_name": "Fatima",
        "last_name": "Zahrani",
        "phone": "0612345678",
        "device_id": "device-0042",
    }
    code = created_id(client, api_key, **contact)
    responses = [
        client.get(f"{V2}/requests/{code}.json?extensions=true"),
        client.get(f"{V2}/requests/{code}.xml?extensions=true"),
        client.get(f"{V2}/requests.json?extensions=true"),
        client.get(f"/api/v1/requests/{code}"),
    ]
    seen = " ".join(r.get_data(as_text=True) for r in responses) + caplog.text
    for value in (*contact.values(), "612345678"):
        assert value not in seen
    with app.app_context():
        phones = db.session.scalars(select(ReporterContact.phone_e164)).all()
    assert phones == ["+212612345678"]  # kept apart, for SMS updates


def test_an_open311_report_reads_the_same_through_the_native_api(app, client, api_key):
    code = created_id(client, api_key, description="Trou profond", address_string="Bd Mohammed V")
    (open311,) = client.get(f"{V2}/requests/{code}.json").json
    native = client.get(f"/api/v1/requests/{code}").json
    assert native["tracking_code"] == open311["service_request_id"] == code
    assert native["service_code"] == open311["service_code"] == "nid-de-poule"
    assert native["service_name"] == open311["service_name"]
    assert native["department"]["name"] == open311["agency_responsible"]
    assert native["area"]["code"] == "sidi-belyout"
    assert (native["lat"], native["long"]) == (open311["lat"], open311["long"])
    assert (native["lat"], native["long"]) == (DOWNTOWN["lat"], DOWNTOWN["long"])
    assert native["description"] == open311["description"] == "Trou profond"
    assert native["address"] == open311["address"] == "Bd Mohammed V"
    assert native["requested_at"] == open311["requested_datetime"]
    assert native["updated_at"] == open311["updated_datetime"]
    assert native["expected_at"] == open311["expected_datetime"]
    assert native["status"] == "submitted" and open311["status"] == "open"
    with app.app_context():
        stored = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        actors = db.session.scalars(
            select(RequestEvent.actor).where(RequestEvent.request_id == stored.id)
        ).all()
        assert stored.channel == "open311"
        assert actors[0].startswith("open311:partner-")


def test_a_native_report_reads_the_same_through_open311(client):
    native = report(client, description="Lampadaire", address="Rue Allal Ben Abdellah").json
    code = native["tracking_code"]
    (open311,) = client.get(f"{V2}/requests/{code}.json").json
    assert open311["service_request_id"] == code
    assert open311["service_code"] == native["service_code"]
    assert open311["agency_responsible"] == native["department"]["name"]
    assert (open311["lat"], open311["long"]) == (native["lat"], native["long"])
    assert open311["description"] == native["description"]
    assert open311["address"] == native["address"]
    assert open311["requested_datetime"] == native["requested_at"]
    assert open311["expected_datetime"] == native["expected_at"]
    listed = client.get(f"{V2}/requests.json").json
    assert [r["service_request_id"] for r in listed] == [code]
