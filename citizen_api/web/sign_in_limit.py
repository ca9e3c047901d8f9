"""The per-username sign-in limit, counted in the database so it holds across workers
and replicas with or without Redis (issue 14: with per-worker memory counters two
workers doubled it).

Each attempt for a username adds one to a counter per window of RATE_LIMIT_TOKEN_USER
("5/minute;20/hour": fixed windows, one row per username and window, incremented by one
atomic upsert on both backends). Over any of them: 429 with Retry-After, the seconds
until that window ends. Sign-in is rare, so one small write per attempt is cheap; the
per-address limits stay in Flask-Limiter (citizen_api.web.limits).
"""

from __future__ import annotations

import datetime as dt
import math
import time

from flask import current_app
from limits import parse_many
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from citizen_api.extensions import db
from citizen_api.web.errors import Problem
from models import RateCounter

MESSAGE = "Too many sign-in attempts for this account; wait before trying again."


def _hit(conn, key: str, start: float, seconds: int) -> int:
    window = dt.datetime.fromtimestamp(start, dt.UTC)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateCounter)
        .values(
            key=key,
            window_start=window,
            hits=1,
            expires_at=window + dt.timedelta(seconds=seconds),
        )
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateCounter.hits + 1}
        )
        .returning(RateCounter.hits)
    )
    return conn.execute(statement).scalar_one()


def count_sign_in(username: str) -> None:
    """Count one sign-in attempt for `username`, or refuse it (429) when over a limit."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return
    name = username.strip().lower()[:128]
    now = time.time()
    waits = []
    with db.engine.begin() as conn:  # committed at once, whatever the sign-in does next
        for item in parse_many(config["RATE_LIMIT_TOKEN_USER"]):
            seconds = item.get_expiry()
            start = now - now % seconds
            if _hit(conn, f"sign-in:{seconds}:{name}", start, seconds) > item.amount:
                waits.append(start + seconds - now)
        expired = RateCounter.expires_at < dt.datetime.fromtimestamp(now, dt.UTC)
        conn.execute(delete(RateCounter).where(expired))
    if waits:
        raise Problem(
            429,
            MESSAGE,
            type="too-many-requests",
            title="Too Many Requests",
            headers={"Retry-After": str(max(1, math.ceil(max(waits))))},
        )
