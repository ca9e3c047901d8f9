"""The audit page (/console/admin/audit): every administrative action, newest first,
paged by id (keyset), optionally for one account or key."""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy import select

from citizen_api.console.accounts_views import admin_only
from citizen_api.console.admin_labels import ACTION
from citizen_api.console.blueprint import blp, page
from citizen_api.extensions import db
from models import AuditEntry

PAGE = 100


@blp.get("/admin/audit")
@admin_only
def audit():
    """Who did what to which account or key, and when."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    target = request.args.get("target", "")[:80]
    if target:
        query = query.where(AuditEntry.target == target)
    before = request.args.get("before", "")
    if before.isdigit():
        query = query.where(AuditEntry.id < int(before))
    entries = db.session.scalars(query).all()
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    next_url = None
    if more:
        args = {"before": entries[-1].id, **({"target": target} if target else {})}
        next_url = url_for("console.audit", **args)
    return page(
        "console/admin/audit.html", entries=entries, actions=ACTION, target=target,
        next_url=next_url,
    )  # fmt: skip
