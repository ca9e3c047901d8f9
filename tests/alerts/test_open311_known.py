"""A report filed through Open311 GeoReport v2 while a live alert explains it: the answer
keeps the spec's shape, its service_notice says the problem is known and until when, and
with `extensions=true` it carries the alert as the native 201 does (id, headline,
expected_end) under extended_attributes, in JSON and XML."""

from __future__ import annotations

import pytest

from tests.alerts.conftest import publish
from tests.alerts.test_known_issues import MAARIF
from tests.helpers import stored_report
from tests.open311.conftest import api_key, create, parse_xml  # noqa: F401 - fixture


def leak(client, key, fmt="json", query="", **fields):
    form = {
        "api_key": key,
        "service_code": "fuite-eau",
        "lat": str(MAARIF["lat"]),
        "long": str(MAARIF["long"]),
        "attribute[source]": "chaussee",
        **fields,
    }
    return client.post(f"/open311/v2/requests.{fmt}{query}", data=form)


def test_the_spec_answer_says_the_problem_is_known_and_until_when(app, client, supervisor, api_key):  # noqa: F811
    alert = publish(client, supervisor).get_json()
    response = leak(client, api_key)
    assert response.status_code == 200, response.get_data(as_text=True)
    [item] = response.get_json()
    assert set(item) == {"service_request_id", "service_notice"}  # the spec's keys only
    assert item["service_notice"].startswith("Problème connu : Coupure d'eau à Maârif.")
    assert "Rétablissement prévu le" in item["service_notice"]
    with app.app_context():  # filed, and linked to the alert's incident, as natively
        report = stored_report(item["service_request_id"])
        assert report.channel == "open311"
    assert alert["id"]


@pytest.mark.parametrize("where", ["form", "query"])
def test_with_extensions_the_answer_carries_the_alert_like_the_native_201(
    client,
    supervisor,
    api_key,  # noqa: F811
    where,
):
    alert = publish(client, supervisor).get_json()
    if where == "form":
        response = leak(client, api_key, extensions="true")
    else:
        response = leak(client, api_key, query="?extensions=true&lang=en")
    [item] = response.get_json()
    carried = item["extended_attributes"]["alert"]
    assert carried["id"] == alert["id"]
    assert carried["headline"] == (
        "Coupure d'eau à Maârif" if where == "form" else "Water cut in Maârif"
    )
    assert carried["expected_end"][:19] == alert["ends_at"][:19]
    assert carried["expected_end"].endswith("+00:00")  # a timezone, as the spec wants


def test_in_xml_the_alert_is_an_element_of_the_request(client, supervisor, api_key):  # noqa: F811
    alert = publish(client, supervisor).get_json()
    root = parse_xml(leak(client, api_key, "xml", query="?extensions=true&lang=ar"))
    [request] = root
    assert [c.tag for c in request] == [
        "service_request_id",
        "service_notice",
        "extended_attributes",
    ]
    assert request.findtext("service_notice").startswith("مشكل معروف: انقطاع الماء بالمعاريف.")
    assert request.findtext("extended_attributes/alert/id") == str(alert["id"])
    assert request.findtext("extended_attributes/alert/headline") == "انقطاع الماء بالمعاريف"


def test_without_an_alert_the_answer_is_as_before_and_the_extension_null(
    client,
    supervisor,
    api_key,  # noqa: F811
):
    publish(client, supervisor, services=["eclairage-panne"])  # explains another service
    [plain] = leak(client, api_key).get_json()
    assert "Problème connu" not in plain["service_notice"] and "h." in plain["service_notice"]
    [extended] = leak(client, api_key, extensions="true").get_json()
    assert extended["extended_attributes"] == {"alert": None}
    bad = leak(client, api_key, extensions="maybe")
    assert bad.status_code == 400 and "extensions" in bad.get_json()[0]["description"]
