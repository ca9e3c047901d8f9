"""Idempotency-Key on POST /api/v1/requests: a retried submission never files twice."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select, text, update

from citizen_api.extensions import db
from models import IdempotencyKey
from tests.helpers import DOWNTOWN, count_reports

BODY = {"service_code": "nid-de-poule", **DOWNTOWN, "description": "Trou profond"}


def post(client, body=None, key=None, **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/requests", json=body or BODY, headers=headers)


def test_a_retry_with_the_same_key_replays_the_first_answer(app, client):
    key = str(uuid.uuid4())
    first = post(client, key=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = post(client, key=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert count_reports(app) == 1


def test_key_order_and_spacing_of_the_body_do_not_make_it_different(app, client):
    key = str(uuid.uuid4())
    assert post(client, key=key).status_code == 201
    reordered = client.post(
        "/api/v1/requests",
        data='{ "description":"Trou profond", "long": -7.6191, "lat": 33.5925, '
        '"service_code": "nid-de-poule" }',
        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert reordered.headers["Idempotent-Replayed"] == "true"
    assert count_reports(app) == 1


def test_the_same_key_with_another_body_is_422_and_files_nothing(app, client):
    key = str(uuid.uuid4())
    first = post(client, key=key)
    other = post(client, body={**BODY, "description": "Autre chose"}, key=key)
    assert other.status_code == 422
    assert other.content_type == "application/problem+json"
    assert other.json["type"] == "urn:casa311:problem:idempotency-key-reused"
    assert count_reports(app) == 1
    assert client.get(first.headers["Location"]).status_code == 200


def test_a_request_still_in_flight_with_the_key_gets_409(app, client):
    key = str(uuid.uuid4())
    with app.app_context():  # what the first request leaves while it runs: a claimed key
        db.session.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, lock_token, locked_at, "
                "created_at, expires_at) VALUES ('requests:create', :key, :fp, 't', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '2999-01-01 00:00:00')"
            ),
            {"key": key, "fp": _fingerprint_of(app, BODY)},
        )
        db.session.commit()
    try:
        response = post(client, key=key)
        assert response.status_code == 409
        assert response.headers["Retry-After"] == "1"
        assert response.content_type == "application/problem+json"
        assert count_reports(app) == 0
    finally:
        with app.app_context():
            db.session.execute(text("DELETE FROM idempotency_keys WHERE key = :k"), {"k": key})
            db.session.commit()


def test_a_key_left_by_a_crashed_request_is_taken_over_after_the_lock_expires(app, client):
    key = str(uuid.uuid4())
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, lock_token, locked_at, "
                "created_at, expires_at) VALUES ('requests:create', :key, :fp, 't', "
                "'2000-01-01 00:00:00', '2000-01-01 00:00:00', '2999-01-01 00:00:00')"
            ),
            {"key": key, "fp": "unknown"},
        )
        db.session.commit()
    # A stale lock whose body we do not know still refuses a different body...
    assert post(client, key=key).status_code == 422
    with app.app_context():
        db.session.execute(
            text("UPDATE idempotency_keys SET fingerprint = :fp WHERE key = :k"),
            {"fp": _fingerprint_of(app, BODY), "k": key},
        )
        db.session.commit()
    # ...and the same body takes it over: the crashed request stored no report.
    response = post(client, key=key)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert post(client, key=key).headers["Idempotent-Replayed"] == "true"
    assert count_reports(app) == 1


def _fingerprint_of(app, body) -> str:
    from citizen_api.web.idempotency import fingerprint

    with app.test_request_context("/api/v1/requests", method="POST", json=body):
        return fingerprint()


def test_an_invalid_report_releases_its_key_for_the_corrected_retry(app, client):
    key = str(uuid.uuid4())
    refused = post(client, body={**BODY, "lat": 34.02, "long": -6.84}, key=key)  # Rabat
    assert refused.status_code == 422
    fixed = post(client, key=key)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert count_reports(app) == 1


def test_without_a_key_every_post_files_a_report(app, client):
    assert post(client).status_code == 201
    assert post(client).status_code == 201
    assert count_reports(app) == 2


def test_a_malformed_key_is_400(app, client):
    for bad in ("", "x" * 256, "clé-accentuée"):
        response = client.post(
            "/api/v1/requests",
            json=BODY,
            headers={"Idempotency-Key": bad.encode("utf-8").decode("latin-1")},
        )
        assert response.status_code == 400, bad
        assert response.json["type"] == "urn:casa311:problem:invalid-idempotency-key"
    assert count_reports(app) == 0


def test_a_quoted_structured_field_key_is_the_same_key(app, client):
    key = str(uuid.uuid4())
    assert post(client, key=f'"{key}"').status_code == 201
    assert post(client, key=key).headers["Idempotent-Replayed"] == "true"


def test_keys_are_kept_at_least_24_hours(app, client):
    key = str(uuid.uuid4())
    post(client, key=key)
    with app.app_context():
        record = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
        assert (record.expires_at - record.created_at).total_seconds() >= 24 * 3600


def test_an_expired_key_is_forgotten(app, client):
    key = str(uuid.uuid4())
    post(client, key=key)
    with app.app_context():
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == key)
            .values(expires_at=IdempotencyKey.created_at)
        )
        db.session.commit()
    again = post(client, key=key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count_reports(app) == 2


def test_concurrent_retries_with_one_key_file_exactly_one_report(app, client, backend):
    key = str(uuid.uuid4())
    answers = []

    def submit():
        answers.append(post(app.test_client(), key=key))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert count_reports(app) == 1
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}
    codes = {a.json["tracking_code"] for a in answers if a.status_code == 201}
    assert len(codes) == 1


def test_the_purge_command_deletes_only_expired_keys(app, client):
    kept, expired = str(uuid.uuid4()), str(uuid.uuid4())
    post(client, key=kept)
    post(client, body={**BODY, "description": "deux"}, key=expired)
    with app.app_context():
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == expired)
            .values(expires_at=IdempotencyKey.created_at)
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-idempotency-keys"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        keys = set(db.session.scalars(select(IdempotencyKey.key)))
    assert kept in keys and expired not in keys
