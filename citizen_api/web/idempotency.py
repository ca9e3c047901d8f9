"""Idempotency-Key on report creation (IETF draft-ietf-httpapi-idempotency-key-header).

A client sends `Idempotency-Key: <unique value>` with a POST. The first request with a
key claims it (a row in `idempotency_keys`, committed before any work); the answer is
written into that row in the same transaction as the report it created. Then:

- the same key and the same request again: the stored answer is replayed, with
  `Idempotent-Replayed: true`, and nothing new is created;
- the same key with a different request: 422;
- the same key while the first request is still running: 409 (with Retry-After);
- a request that fails (invalid input, database down) releases its key, so the client
  can retry with it.

A key whose first request died without an answer (a worker killed mid-request) is stale
after LOCK_SECONDS and may be claimed again: since the answer and the report commit
together, a key without an answer means no report was stored. Keys live for
IDEMPOTENCY_TTL_HOURS (at least 24 hours); `flask idempotency purge` deletes expired ones.
Keys are not tied to the client's address: a phone that moves from Wi-Fi to 4G between a
timed-out submission and its retry keeps its key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from functools import wraps

import orjson
from flask import Response, current_app, g, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citizen_api.extensions import db
from citizen_api.web.errors import Problem
from models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
LOCK_SECONDS = 60
MIN_TTL_HOURS = 24
# Headers of the first answer that a replay repeats (the rest are set per response).
KEPT_HEADERS = ("Location", "Content-Type", "Content-Language", "Vary")
log = logging.getLogger(__name__)


@dataclass
class Claim:
    """This request holds the key: it alone may store the answer."""

    record_id: int
    lock_token: str
    saved: bool = False


def read_key() -> str | None:
    """The request's Idempotency-Key (a bare value or a structured-field string), or None."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise Problem(
            400,
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, "
            "e.g. a UUID; generate one per report and reuse it only to retry that report.",
            type="invalid-idempotency-key",
            title="Invalid Idempotency-Key",
        )
    return key


def _multipart_body() -> bytes:
    """A multipart body by content: its fields and each file's name and SHA-256, so that
    a retry that rebuilt the body with a new boundary is still the same request."""
    parts = sorted(request.form.items(multi=True))
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest = hashlib.sha256()
        while chunk := upload.stream.read(65536):
            digest.update(chunk)
        upload.stream.seek(0)
        parts.append((name, f"{upload.filename}:{digest.hexdigest()}"))
    return orjson.dumps(parts)


def fingerprint() -> str:
    """What makes two requests "the same": method, path, query and body (JSON by value,
    key order and whitespace ignored; multipart by fields and file contents)."""
    if request.mimetype == "multipart/form-data":
        body = _multipart_body()
    else:
        raw = request.get_data(cache=True)
        try:
            body = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            body = raw
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    digest = hashlib.sha256(f"{request.method} {request.path}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def idempotent(scope: str):
    """Decorate a POST view so that it honours Idempotency-Key under `scope`. The view
    must call `save(session, response)` inside the transaction that stores its work."""

    def decorate(view):
        @wraps(view)
        def run(*args, **kwargs):
            key = read_key()
            if key is None:
                return view(*args, **kwargs)
            outcome = claim(db.session, scope, key, fingerprint())
            if isinstance(outcome, Response):
                return outcome
            g.idempotency_claim = outcome
            try:
                response = view(*args, **kwargs)
            except BaseException:
                release(db.session, outcome)
                raise
            if not outcome.saved:
                release(db.session, outcome)
            return response

        return run

    return decorate


def claim(session: Session, scope: str, key: str, print_: str) -> Claim | Response:
    """Claim `key` for this request, or answer for it: a replay, 409 or 422."""
    ttl = max(MIN_TTL_HOURS, int(current_app.config.get("IDEMPOTENCY_TTL_HOURS", 24)))
    for _ in range(3):
        token = secrets.token_hex(16)
        record = IdempotencyKey(
            scope=scope, key=key, fingerprint=print_, lock_token=token, expires_at=utcnow(ttl)
        )
        session.add(record)
        try:
            session.commit()
            return Claim(record.id, token)
        except IntegrityError:
            session.rollback()
        existing, now = session.execute(
            select(IdempotencyKey, utcnow()).where(
                IdempotencyKey.scope == scope, IdempotencyKey.key == key
            )
        ).one_or_none() or (None, None)
        if existing is None:
            continue  # purged in between: claim it again
        if existing.expires_at <= now:
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.id == existing.id, IdempotencyKey.expires_at <= utcnow()
                )
            )
            session.commit()
            continue
        if existing.fingerprint != print_:
            session.rollback()
            raise Problem(
                422,
                f"This {HEADER} was already used for a different request. Use a new key "
                "for a new report; reuse a key only to retry exactly the same request.",
                type="idempotency-key-reused",
                title="Idempotency-Key reused",
            )
        if existing.status_code is not None:
            session.rollback()
            return replay(existing)
        if existing.locked_at <= now - dt.timedelta(seconds=LOCK_SECONDS):
            taken = session.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.id == existing.id,
                    IdempotencyKey.lock_token == existing.lock_token,
                    IdempotencyKey.status_code.is_(None),
                )
                .values(lock_token=token, locked_at=utcnow())
            )
            session.commit()
            if taken.rowcount == 1:
                return Claim(existing.id, token)
            continue
        session.rollback()
        raise Problem(
            409,
            f"A request with this {HEADER} is still being processed; retry in a moment "
            "to get its answer.",
            type="idempotency-key-in-use",
            title="Request in progress",
            headers={"Retry-After": "1"},
        )
    raise Problem(
        409,
        f"This {HEADER} is contended; retry in a moment.",
        type="idempotency-key-in-use",
        headers={"Retry-After": "1"},
    )


def replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def save(session: Session, response: Response) -> None:
    """Store the answer under this request's key, in the session's current transaction
    (the one that stores what the request created). Without a key: nothing to do."""
    current = g.get("idempotency_claim")
    if current is None:
        return
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    stored = session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == current.record_id,
            IdempotencyKey.lock_token == current.lock_token,
            IdempotencyKey.status_code.is_(None),
        )
        .values(
            status_code=response.status_code,
            response_headers=headers,
            response_body=response.get_data(),
        )
    )
    if stored.rowcount != 1:  # our lock went stale and another request took the key
        raise Problem(
            409,
            f"Another request took over this {HEADER}; retry to get its answer.",
            type="idempotency-key-in-use",
            headers={"Retry-After": "1"},
        )
    current.saved = True


def release(session: Session, current: Claim) -> None:
    """Give the key back after a request that stored nothing (best effort: if the
    database is gone, the lock goes stale after LOCK_SECONDS)."""
    try:
        session.rollback()
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == current.record_id,
                IdempotencyKey.lock_token == current.lock_token,
                IdempotencyKey.status_code.is_(None),
            )
        )
        session.commit()
    except Exception as exc:  # the database went away: the stale lock will expire
        session.rollback()
        log.warning("could not release an idempotency key: %s", type(exc).__name__)


def purge_expired(session: Session) -> int:
    """Delete the records past their expiry; return how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= utcnow()))
    session.commit()
    return result.rowcount
