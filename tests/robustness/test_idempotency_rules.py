"""Idempotency-Key's rules called directly (citizen_api/web/idempotency.py): what makes two
requests the same, how long a key is kept, a stale lock taken over, the answers' wording,
and a key that cannot be released. The HTTP behaviour is in test_idempotency.py; these
are the fast tests `make mutation` runs against the module."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from citizen_api.extensions import db
from citizen_api.web import idempotency
from citizen_api.web.errors import Problem
from citizen_api.web.idempotency import Claim, claim, fingerprint, release
from models import IdempotencyKey, utcnow

SCOPE = "requests:create"


@pytest.fixture
def s(app):
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.execute(IdempotencyKey.__table__.delete())
        db.session.commit()


def print_of(app, path="/api/v1/requests", **kwargs) -> str:
    with app.test_request_context(path, method="POST", **kwargs):
        return fingerprint()


def record(s, key: str) -> IdempotencyKey:
    return s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))


# --- what makes two requests the same ----------------------------------------------


def test_the_query_string_is_part_of_the_request(app):
    body = {"json": {"service_code": "nid-de-poule"}}
    assert print_of(app, "/api/v1/requests?a=1", **body) == print_of(
        app, "/api/v1/requests?a=1", **body
    )
    assert print_of(app, "/api/v1/requests?a=1", **body) != print_of(
        app, "/api/v1/requests?a=2", **body
    )
    assert print_of(app, "/api/v1/requests?a=1&b=2", **body) == print_of(
        app, "/api/v1/requests?b=2&a=1", **body
    )  # the order of the arguments does not matter
    # a repeated argument: every value counts
    assert print_of(app, "/api/v1/requests?a=1&a=2", **body) != print_of(
        app, "/api/v1/requests?a=1&a=3", **body
    )
    assert print_of(app, "/api/v1/requests", **body) != print_of(
        app, "/api/v1/requests?a=1", **body
    )


def multipart(*fields, files=()):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, filename, content in files:
        data.setdefault(name, []).append((io.BytesIO(content), filename))
    return {"data": data, "content_type": "multipart/form-data"}


def test_a_multipart_body_is_the_same_by_its_fields_and_file_contents(app):
    one = print_of(
        app, **multipart(("service_code", "nid-de-poule"), files=[("photo", "a.jpg", b"A")])
    )
    assert one == print_of(
        app, **multipart(("service_code", "nid-de-poule"), files=[("photo", "a.jpg", b"A")])
    )
    assert one != print_of(
        app, **multipart(("service_code", "nid-de-poule"), files=[("photo", "a.jpg", b"B")])
    )
    assert one != print_of(
        app, **multipart(("service_code", "nid-de-poule"), files=[("photo", "b.jpg", b"A")])
    )


def test_every_value_of_a_repeated_field_or_file_counts(app):
    base = [("service_code", "nid-de-poule"), ("tag", "a")]
    assert print_of(app, **multipart(*base, ("tag", "b"))) != print_of(
        app, **multipart(*base, ("tag", "c"))
    )
    two = [("photo", "a.jpg", b"A"), ("photo", "b.jpg", b"B")]
    other = [("photo", "a.jpg", b"A"), ("photo", "b.jpg", b"C")]
    assert print_of(app, **multipart(*base, files=two)) != print_of(
        app, **multipart(*base, files=other)
    )
    assert print_of(app, **multipart(*base, files=two)) == print_of(
        app, **multipart(*base, files=two)
    )


def test_files_under_other_names_in_another_order_are_the_same(app):
    ab = [("before", "a.jpg", b"A"), ("after", "b.jpg", b"B")]
    ba = [("after", "b.jpg", b"B"), ("before", "a.jpg", b"A")]
    assert print_of(app, **multipart(files=ab)) == print_of(app, **multipart(files=ba))


# --- claiming a key ----------------------------------------------------------------


@pytest.mark.parametrize(("setting", "hours"), [(48, 48), (24, 24), (1, 24)])
def test_a_key_is_kept_for_the_setting_and_at_least_24_hours(app, s, monkeypatch, setting, hours):
    monkeypatch.setitem(app.config, "IDEMPOTENCY_TTL_HOURS", setting)
    with app.test_request_context("/api/v1/requests", method="POST"):
        held = claim(s, SCOPE, "k-ttl", "print")
    assert isinstance(held, Claim)
    stored = record(s, "k-ttl")
    now = s.scalar(select(utcnow()))
    assert abs(stored.expires_at - (now + dt.timedelta(hours=hours))) < dt.timedelta(minutes=1)


def test_the_lock_token_is_128_random_bits(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        first = claim(s, SCOPE, "k-token-1", "print")
        second = claim(s, SCOPE, "k-token-2", "print")
    assert re.fullmatch(r"[0-9a-f]{32}", first.lock_token)
    assert first.lock_token != second.lock_token
    assert record(s, "k-token-1").lock_token == first.lock_token


def test_one_key_in_two_scopes_is_two_keys(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        native = claim(s, "requests:create", "k-shared", "one body")
        open311 = claim(s, "open311:create", "k-shared", "another body")
    assert isinstance(native, Claim) and isinstance(open311, Claim)
    assert native.record_id != open311.record_id


def test_the_same_key_for_another_request_is_refused_saying_what_to_do(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        claim(s, SCOPE, "k-reused", "one body")
        with pytest.raises(Problem) as refused:
            claim(s, SCOPE, "k-reused", "another body")
    problem = refused.value
    assert problem.code == 422
    assert problem.title == "Idempotency-Key reused"
    assert problem.description == (
        "This Idempotency-Key was already used for a different request. Use a new key for a "
        "new report; reuse a key only to retry exactly the same request."
    )
    assert problem.type.endswith("idempotency-key-reused")


def test_a_key_in_use_is_409_saying_to_retry_in_a_moment(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        claim(s, SCOPE, "k-busy", "body")
        with pytest.raises(Problem) as busy:
            claim(s, SCOPE, "k-busy", "body")
    problem = busy.value
    assert problem.code == 409
    assert problem.title == "Request in progress"
    assert problem.description == (
        "A request with this Idempotency-Key is still being processed; retry in a moment "
        "to get its answer."
    )
    assert problem.type.endswith("idempotency-key-in-use")
    assert problem.extra_headers == {"Retry-After": "1"}


def test_a_stale_lock_is_taken_over_once_and_held_afresh(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        first = claim(s, SCOPE, "k-stale", "body")
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == first.record_id)
            .values(locked_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))  # its worker died
        )
        s.commit()
        second = claim(s, SCOPE, "k-stale", "body")
        assert isinstance(second, Claim)
        assert second.record_id == first.record_id
        assert second.lock_token != first.lock_token
        stored = record(s, "k-stale")
        s.refresh(stored)
        now = s.scalar(select(utcnow()))
        assert now - stored.locked_at < dt.timedelta(seconds=30)  # held afresh
        with pytest.raises(Problem) as busy:  # a third request waits for the second
            claim(s, SCOPE, "k-stale", "body")
    assert busy.value.code == 409


def test_an_expired_key_is_claimed_anew(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        first = claim(s, SCOPE, "k-old", "one body")
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == first.record_id)
            .values(expires_at=utcnow(-1))
        )
        s.commit()
        again = claim(s, SCOPE, "k-old", "another body")  # no 422: the old one is gone
    assert isinstance(again, Claim)
    assert record(s, "k-old").fingerprint == "another body"


# --- releasing a key ---------------------------------------------------------------


def test_a_released_key_may_be_claimed_again(app, s):
    with app.test_request_context("/api/v1/requests", method="POST"):
        first = claim(s, SCOPE, "k-release", "one body")
        release(s, first)
        assert record(s, "k-release") is None
        assert isinstance(claim(s, SCOPE, "k-release", "another body"), Claim)


def test_a_key_that_cannot_be_released_is_logged_and_left_to_expire(caplog, tmp_path):
    gone = create_engine(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite")  # cannot be opened
    with Session(gone) as session, caplog.at_level(logging.WARNING, idempotency.log.name):
        release(session, Claim(1, "t" * 32))  # does not raise
    assert [r.getMessage() for r in caplog.records] == [
        "could not release an idempotency key: OperationalError"
    ]


# --- the header ----------------------------------------------------------------------

INVALID = (
    "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID; generate one "
    "per report and reuse it only to retry that report."
)


@pytest.mark.parametrize(
    ("sent", "key"),
    [
        ("a", "a"),  # one character is enough
        ('"a"', "a"),  # a structured-field string
        ("!~", "!~"),  # the first and last visible ASCII characters
        ("k" * 255, "k" * 255),
        (" k-1 ", "k-1"),
    ],
)
def test_the_keys_a_client_may_send(app, sent, key):
    with app.test_request_context("/", method="POST", headers={"Idempotency-Key": sent}):
        assert idempotency.read_key() == key


@pytest.mark.parametrize("sent", ['""', "k" * 256, "caf\u00e9", "a b", "a\x7f"])
def test_other_keys_are_refused_saying_what_a_key_is(app, sent):
    with (
        app.test_request_context("/", method="POST", headers={"Idempotency-Key": sent}),
        pytest.raises(Problem) as refused,
    ):
        idempotency.read_key()
    problem = refused.value
    assert (problem.code, problem.title, problem.description) == (
        400,
        "Invalid Idempotency-Key",
        INVALID,
    )
    assert problem.type.endswith("invalid-idempotency-key")


# --- storing the answer ------------------------------------------------------------


def answer():
    from flask import Response

    return Response(
        b'{"ok": 1}',
        status=201,
        content_type="application/json",
        headers={"Location": "/r/1", "X-Other": "no"},
    )


def test_the_answer_is_stored_once_under_the_key_that_holds_it(app, s):
    from flask import g

    with app.test_request_context("/api/v1/requests", method="POST"):
        held = claim(s, SCOPE, "k-save", "body")
        g.idempotency_claim = held
        idempotency.save(s, answer())
        s.commit()
        assert held.saved is True
        stored = record(s, "k-save")
        assert (stored.status_code, stored.response_body) == (201, b'{"ok": 1}')
        assert stored.response_headers == {
            "Location": "/r/1",
            "Content-Type": "application/json",
        }
        with pytest.raises(Problem) as again:  # a second answer for the same key: refused
            idempotency.save(s, answer())
        assert again.value.code == 409


def test_a_request_whose_key_was_taken_over_may_not_store_its_answer(app, s):
    from flask import g

    with app.test_request_context("/api/v1/requests", method="POST"):
        slow = claim(s, SCOPE, "k-taken", "body")
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == slow.record_id)
            .values(locked_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
        )
        s.commit()
        retry = claim(s, SCOPE, "k-taken", "body")  # the client's retry took the key over
        assert isinstance(retry, Claim)
        g.idempotency_claim = slow
        with pytest.raises(Problem) as refused:
            idempotency.save(s, answer())
    problem = refused.value
    assert problem.code == 409
    assert problem.description == (
        "Another request took over this Idempotency-Key; retry to get its answer."
    )
    assert problem.type.endswith("idempotency-key-in-use")
    assert problem.extra_headers == {"Retry-After": "1"}
    assert slow.saved is False


def test_a_key_fought_over_three_times_is_409_contended(app, s):
    """Each takeover of a stale lock loses to another request (a trigger skips the UPDATE,
    as another request's takeover between our SELECT and UPDATE would)."""
    with app.test_request_context("/api/v1/requests", method="POST"):
        first = claim(s, SCOPE, "k-fight", "body")
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == first.record_id)
            .values(locked_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
        )
        s.commit()
        for statement in LOSE[s.get_bind().dialect.name]:
            s.execute(text(statement))
        s.commit()
        try:
            with pytest.raises(Problem) as contended:
                claim(s, SCOPE, "k-fight", "body")
        finally:
            s.rollback()
            for statement in UNDO[s.get_bind().dialect.name]:
                s.execute(text(statement))
            s.commit()
    problem = contended.value
    assert problem.code == 409
    assert problem.description == "This Idempotency-Key is contended; retry in a moment."
    assert problem.type.endswith("idempotency-key-in-use")
    assert problem.extra_headers == {"Retry-After": "1"}
    stored = s.execute(text("SELECT lock_token FROM idempotency_keys WHERE key = 'k-fight'"))
    assert stored.scalar() == first.lock_token  # nobody got it


# A trigger that skips every UPDATE of a key's lock token (the row is left as it was).
LOSE = {
    "sqlite": [
        "CREATE TRIGGER lose_every_takeover BEFORE UPDATE OF lock_token ON idempotency_keys "
        "BEGIN SELECT RAISE(IGNORE); END"
    ],
    "postgresql": [
        "CREATE FUNCTION lose_takeover() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER lose_every_takeover BEFORE UPDATE OF lock_token ON idempotency_keys "
        "FOR EACH ROW EXECUTE FUNCTION lose_takeover()",
    ],
}
UNDO = {
    "sqlite": ["DROP TRIGGER IF EXISTS lose_every_takeover"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS lose_every_takeover ON idempotency_keys",
        "DROP FUNCTION IF EXISTS lose_takeover()",
    ],
}
