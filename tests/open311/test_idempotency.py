"""A partner app retrying an Open311 create with its Idempotency-Key files one request."""

from __future__ import annotations

from tests.helpers import DOWNTOWN, count_reports
from tests.open311.conftest import V2, parse_xml


def post(client, key, idempotency_key, fmt="json", **fields):
    form = {
        "api_key": key,
        "service_code": "nid-de-poule",
        "lat": str(DOWNTOWN["lat"]),
        "long": str(DOWNTOWN["long"]),
        **fields,
    }
    return client.post(
        f"{V2}/requests.{fmt}", data=form, headers={"Idempotency-Key": idempotency_key}
    )


def test_a_retry_replays_the_first_answer_and_files_nothing_new(client, app, api_key):
    first = post(client, api_key, "partner-retry-1", account_id="42")
    assert first.status_code == 200
    again = post(client, api_key, "partner-retry-1", account_id="42")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert again.json[0]["account_id"] == "42"
    assert count_reports(app) == 1


def test_the_same_key_for_another_request_is_an_open311_error(client, app, api_key):
    assert post(client, api_key, "partner-retry-2").status_code == 200
    other = post(client, api_key, "partner-retry-2", fmt="xml", description="autre chose")
    assert other.status_code == 400
    root = parse_xml(other)
    assert root.tag == "errors" and root.find("error/description").text
    assert count_reports(app) == 1
