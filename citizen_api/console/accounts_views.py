"""Accounts for administrators (/console/admin/users): create, edit role and department,
disable, enable, reset a password; every user's own password (/console/password).

Views are thin: the rules (and the audit record) live in citizen_api.domain.staff. Each
form carries the account's credentials_version, so a second administrator posting an
older form is told who changed the account, and nothing is overwritten.
"""

from __future__ import annotations

import functools

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from citizen_api.console.admin_labels import ACTION, ROLE, refusal
from citizen_api.console.blueprint import blp, page
from citizen_api.console.i18n import current_language
from citizen_api.console.session import sign_in, signed_in
from citizen_api.domain import staff
from citizen_api.extensions import db
from models import ROLES, Clerk, Department


def admin_only(view):
    """Signed in as an administrator; anyone else gets the 403 page, nothing done."""

    @functools.wraps(view)
    @signed_in
    def wrapper(*args, **kwargs):
        if g.clerk.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def _choices() -> dict:
    lang = current_language()
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    return {
        "roles": [(r, ROLE[r]) for r in ROLES],
        "departments": [(d.code, d.name(lang)) for d in departments],
        "role_labels": ROLE,
    }


def _list_page(status: int = 200, problem: str | None = None, form=None):
    clerks = db.session.scalars(select(Clerk).order_by(Clerk.username)).all()
    return page(
        "console/admin/users.html",
        status,
        clerks=clerks,
        problem=problem,
        form=form or {},
        lang=current_language(),
        **_choices(),
    )


def _target(username: str) -> Clerk:
    clerk = staff.account(db.session, username)
    if clerk is None:
        abort(404)
    return clerk


def _edit_page(
    clerk: Clerk, status: int = 200, problem: str | None = None, stale=None, contact_form=None
):
    from citizen_api.domain.staff_contacts import contact_of, head_of

    head = head_of(db.session, clerk.department_id) if clerk.department_id else None
    return page(
        "console/admin/user.html",
        status,
        clerk=clerk,
        problem=problem,
        stale=stale,
        contact=contact_of(db.session, clerk),  # administrators see the number in full
        contact_form=contact_form,
        is_head=head is not None and head.id == clerk.id,
        actions=ACTION,
        lang=current_language(),
        **_choices(),
    )


def _secret_page(issued: staff.Issued, heading: str, explanation: str, back: str):
    return page(
        "console/admin/secret.html",
        heading=heading,
        explanation=explanation,
        issued=issued,
        back=back,
    )


@blp.get("/admin/users")
@admin_only
def users():
    """Every account, and the form to create one."""
    return _list_page()


@blp.post("/admin/users")
@admin_only
def create_user():
    """Create an account with a temporary password, shown once."""
    form = {k: request.form.get(k, "").strip() for k in ("username", "role", "department")}
    try:
        issued = staff.create_account(
            db.session, g.clerk, form["username"], form["role"], form["department"]
        )
    except staff.Refused as exc:
        db.session.rollback()
        return _list_page(422, refusal(exc), form)
    db.session.commit()
    return _secret_page(
        issued,
        _("Account %(u)s created", u=issued.name),
        _(
            "Give this temporary password to %(u)s; they must choose their own at first "
            "sign-in. It is shown only once.",
            u=issued.name,
        ),
        url_for("console.users"),
    )


@blp.get("/admin/users/<username>")
@admin_only
def user(username):
    """One account: role, department, enabled, password reset."""
    return _edit_page(_target(username))


def _change(username: str, apply):
    """Run `apply(clerk, version)` on the account; a stale or refused form is shown again
    with the reason, and nothing is saved."""
    clerk = _target(username)
    try:
        result = apply(clerk, _version())
    except staff.StaleAccount as exc:
        db.session.rollback()
        db.session.refresh(clerk)
        return None, _edit_page(clerk, 409, stale=exc.last or True)
    except staff.Refused as exc:
        db.session.rollback()
        db.session.refresh(clerk)
        return None, _edit_page(clerk, 422, refusal(exc))
    db.session.commit()
    return result, None


@blp.post("/admin/users/<username>")
@admin_only
def update_user(username):
    """Save a new role and department."""
    role = request.form.get("role", "")
    department = request.form.get("department", "").strip() or None
    changes, refused = _change(
        username,
        lambda clerk, v: staff.update_account(db.session, g.clerk, clerk, v, role, department),
    )
    if refused:
        return refused
    flash(_("Saved; the account's sessions have ended.") if changes else _("Nothing changed."))
    return redirect(url_for("console.user", username=username))


@blp.post("/admin/users/<username>/enabled")
@admin_only
def enable_user(username):
    """Disable (ends its sessions and tokens at once) or enable an account."""
    enabled = request.form.get("enabled") == "1"
    _done, refused = _change(
        username,
        lambda clerk, v: staff.set_enabled(db.session, g.clerk, clerk, v, enabled),
    )
    if refused:
        return refused
    flash(_("The account is enabled.") if enabled else _("The account is disabled."))
    return redirect(url_for("console.user", username=username))


@blp.post("/admin/users/<username>/password")
@admin_only
def reset_user_password(username):
    """A new temporary password for the account, shown once; its sessions end."""
    issued, refused = _change(
        username, lambda clerk, v: staff.reset_password(db.session, g.clerk, clerk, v)
    )
    if refused:
        return refused
    return _secret_page(
        issued,
        _("New password for %(u)s", u=issued.name),
        _(
            "Give this temporary password to %(u)s; their sessions have ended and they must "
            "choose their own at next sign-in. It is shown only once.",
            u=issued.name,
        ),
        url_for("console.user", username=issued.name),
    )


@blp.route("/password", methods=["GET", "POST"])
@signed_in
def own_password():
    """Change one's own password. The other sessions and tokens of the account end; this
    browser stays signed in."""
    if request.method == "GET":
        return page("console/admin/password.html", forced=g.clerk.must_change_password)
    if request.form.get("new") != request.form.get("confirm"):
        return page(
            "console/admin/password.html",
            422,
            forced=g.clerk.must_change_password,
            problem=_("The two new passwords differ."),
        )
    try:
        staff.change_own_password(
            db.session,
            g.clerk,
            request.form.get("current", ""),
            request.form.get("new", ""),
        )
    except staff.Refused as exc:
        db.session.rollback()
        return page(
            "console/admin/password.html",
            422,
            forced=g.clerk.must_change_password,
            problem=refusal(exc),
        )
    db.session.commit()
    sign_in(g.clerk)  # this browser carries the new version; every other session is over
    flash(_("Your password was changed; your other sessions have ended."), "success")
    return redirect(url_for("console.queue"))
