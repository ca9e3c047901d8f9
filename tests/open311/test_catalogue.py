"""Discovery, the service list and service definitions, in JSON and XML."""

from __future__ import annotations

import pytest

from tests.open311.conftest import V2, errors_of, parse_xml

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]


def test_discovery_names_the_spec_the_url_and_both_formats(client):
    body = client.get(f"{V2}/discovery.json").json
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"].endswith("+00:00")

    root = parse_xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    (xml_endpoint,) = root.find("endpoints")
    assert xml_endpoint.tag == "endpoint"
    assert [f.text for f in xml_endpoint.find("formats")] == ["text/xml", "application/json"]
    assert {f.tag for f in xml_endpoint.find("formats")} == {"format"}


def test_the_service_list_has_the_spec_fields_and_types(client):
    response = client.get(f"{V2}/services.json")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json}
    assert len(services) == 12
    pothole = services["nid-de-poule"]
    assert list(pothole) == SERVICE_FIELDS
    assert pothole["service_name"] == "Nid-de-poule"
    assert pothole["metadata"] is True and services["trottoir-degrade"]["metadata"] is False
    assert pothole["type"] == "realtime"
    assert isinstance(pothole["keywords"], str) and "pothole" in pothole["keywords"].split(", ")
    assert pothole["group"] == "Voirie et trottoirs"


def test_the_service_list_in_xml_is_services_of_service(client):
    root = parse_xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services" and len(root) == 12
    assert {child.tag for child in root} == {"service"}
    pothole = next(s for s in root if s.findtext("service_code") == "nid-de-poule")
    assert [c.tag for c in pothole] == SERVICE_FIELDS
    assert pothole.findtext("metadata") == "true"
    assert root[1].findtext("metadata") == "false"  # trottoir-degrade asks nothing


@pytest.mark.parametrize(
    "how", [{"query_string": {"lang": "ar"}}, {"headers": {"Accept-Language": "ar"}}]
)
def test_service_names_follow_the_language_in_both_formats(client, how):
    json_response = client.get(f"{V2}/services.json", **how)
    assert json_response.headers["Content-Language"] == "ar"
    assert json_response.json[0]["service_name"] == "حفرة في الطريق"
    assert json_response.json[0]["group"] == "الطرق والأرصفة"
    root = parse_xml(client.get(f"{V2}/services.xml", **how))
    assert root[0].findtext("service_name") == "حفرة في الطريق"
    definition = parse_xml(client.get(f"{V2}/services/nid-de-poule.xml", **how))
    values = definition.find("attributes/attribute/values")
    assert values[0].findtext("name") == "صغيرة (أقل من 30 سم)"


def test_services_at_a_point_are_those_handled_there(client):
    inside = client.get(f"{V2}/services.json?lat=33.5925&long=-7.6191")
    assert inside.status_code == 200 and len(inside.json) == 12
    for fmt in ("json", "xml"):
        outside = client.get(f"{V2}/services.{fmt}?lat=48.85&long=2.35")
        assert outside.status_code == 400
        assert errors_of(outside, fmt)[0]["code"] == 400
    half = client.get(f"{V2}/services.json?lat=33.5925")
    assert half.status_code == 400 and "long" in half.json[0]["description"]


def test_the_service_definition_lists_typed_ordered_attributes(client):
    body = client.get(f"{V2}/services/vehicule-abandonne.json").json
    assert body["service_code"] == "vehicule-abandonne"
    plate, since = body["attributes"]
    assert list(plate) == ATTRIBUTE_FIELDS
    assert (plate["code"], plate["datatype"], plate["order"]) == ("immatriculation", "string", 1)
    assert (since["datatype"], since["order"], since["required"]) == ("datetime", 2, False)
    assert plate["variable"] is True and plate["values"] == []
    assert "+01:00" in since["datatype_description"]

    nature = client.get(f"{V2}/services/depot-sauvage.json").json["attributes"][0]
    assert (nature["datatype"], nature["required"]) == ("multivaluelist", True)
    assert {"key": "gravats", "name": "Gravats"} in nature["values"]


def test_the_service_definition_in_xml(client):
    root = parse_xml(client.get(f"{V2}/services/depot-sauvage.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    (attribute,) = root.find("attributes")
    assert attribute.tag == "attribute" and [c.tag for c in attribute] == ATTRIBUTE_FIELDS
    assert attribute.findtext("required") == "true"
    values = attribute.find("values")
    assert {v.tag for v in values} == {"value"}
    assert [c.tag for c in values[0]] == ["key", "name"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_in_the_spec_shape(client, fmt):
    response = client.get(f"{V2}/services/licorne.{fmt}")
    assert response.status_code == 404
    (error,) = errors_of(response, fmt)
    assert error["code"] == 404 and "licorne" in error["description"]


def test_an_unknown_format_or_method_uses_the_spec_error_shape(client):
    response = client.get(f"{V2}/services.csv")
    assert response.status_code == 404
    assert errors_of(response, "xml")[0]["code"] == 404
    wrong_method = client.delete(f"{V2}/services.json")
    assert wrong_method.status_code == 400
    assert errors_of(wrong_method, "json")[0]["code"] == 400
    assert "GET" in wrong_method.headers["Allow"]
