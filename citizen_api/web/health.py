"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from citizen_api.extensions import db
from citizen_api.web.errors import Problem

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """Answer while the process is alive."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """Answer 200 only while the database answers; say whether the periodic jobs ran on
    time and how far behind the outbox is (they do not change the status code: a late
    worker is no reason to take the web servers out of service)."""
    from citizen_api.background import background_status

    try:
        db.session.execute(text("SELECT 1"))
        background = background_status(current_app)
    except Exception:
        db.session.rollback()
        raise Problem(
            503,
            "The database is not reachable.",
            type="database-unavailable",
            headers={"Retry-After": "5"},
        ) from None
    return jsonify(status="ready", database=db.engine.dialect.name, **background)
