"""Open311 API keys for partner apps (/console/admin/keys): issue (the secret is shown
once, only its digest is kept), list, revoke. Administrators only; each action audited."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from citizen_api.console.accounts_views import _secret_page, admin_only
from citizen_api.console.admin_labels import refusal
from citizen_api.console.blueprint import blp, page
from citizen_api.domain import staff
from citizen_api.extensions import db
from models import ApiKey


def _keys_page(status: int = 200, problem: str | None = None, name: str = ""):
    keys = db.session.scalars(
        select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.name)
    ).all()
    return page("console/admin/keys.html", status, keys=keys, problem=problem, name=name)


@blp.get("/admin/keys")
@admin_only
def keys():
    """The partner apps' keys (their hints, never their secrets)."""
    return _keys_page()


@blp.post("/admin/keys")
@admin_only
def create_key():
    """Issue a key; its secret appears on the next page, once."""
    name = request.form.get("name", "")[:60]
    try:
        issued = staff.create_key(db.session, g.clerk, name)
    except staff.Refused as exc:
        db.session.rollback()
        return _keys_page(422, refusal(exc), name)
    db.session.commit()
    return _secret_page(
        issued,
        _("API key %(n)s created", n=issued.name),
        _(
            "Copy this key into the partner's app now: it is shown only once and casa311 "
            "keeps only a digest of it."
        ),
        url_for("console.keys"),
    )


@blp.post("/admin/keys/<name>/revoke")
@admin_only
def revoke_key(name):
    """Revoke a key: Open311 refuses it from now on."""
    try:
        staff.revoke(db.session, g.clerk, name)
    except staff.Refused as exc:
        db.session.rollback()
        return _keys_page(404, refusal(exc))
    db.session.commit()
    flash(_("The key %(n)s is revoked.", n=name), "success")
    return redirect(url_for("console.keys"))
