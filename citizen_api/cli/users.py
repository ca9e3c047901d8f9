"""`flask --app citizen_api users create|disable|enable|set-password|change`: clerk
accounts from the shell. Every change but create ends the account's tokens."""

from __future__ import annotations

import sys

import click
from flask import Flask

from citizen_api.domain.accounts import (
    AccountError,
    change_clerk,
    create_clerk,
    set_active,
    set_password,
)
from citizen_api.extensions import db
from models import ROLES


def _read_password() -> str:
    """Prompt on a terminal (twice, hidden); otherwise read one line from standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def register(app: Flask) -> None:
    @app.cli.group("users")
    def users():
        """Clerk accounts (clerk, supervisor, admin)."""

    @users.command("create")
    @click.argument("username")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--department", "department", help="Department code (not for admins).")
    def create(username, role, department):
        """Create an account; the password comes from standard input or a prompt."""
        try:
            clerk = create_clerk(db.session, username, _read_password(), role, department)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        where = f" in {clerk.department.code}" if clerk.department else ""
        click.echo(f"created {clerk.role} {clerk.username}{where}")

    @users.command("disable")
    @click.argument("username")
    def disable(username):
        """Disable an account: it can no longer sign in, and its tokens stop working."""
        _set_active(username, False)

    @users.command("enable")
    @click.argument("username")
    def enable(username):
        """Enable a disabled account again."""
        _set_active(username, True)

    @users.command("set-password")
    @click.argument("username")
    def reset_password(username):
        """Set a new password (standard input or a prompt); the account's tokens end."""
        clerk = _apply(lambda: set_password(db.session, username, _read_password()))
        click.echo(f"new password for {clerk.username}; their tokens no longer work")

    @users.command("change")
    @click.argument("username")
    @click.option("--role", type=click.Choice(ROLES))
    @click.option("--department", "department", help="Department code (not for admins).")
    def change(username, role, department):
        """Change an account's role and/or department; the account's tokens end."""
        if not (role or department):
            raise click.UsageError("Give --role, --department or both.")
        clerk = _apply(lambda: change_clerk(db.session, username, role, department))
        where = f" in {clerk.department.code}" if clerk.department else ""
        click.echo(f"{clerk.username} is now {clerk.role}{where}")

    def _apply(change_account):
        try:
            clerk = change_account()
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        return clerk

    def _set_active(username: str, active: bool) -> None:
        try:
            clerk = set_active(db.session, username, active)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        click.echo(f"{clerk.username} {'enabled' if active else 'disabled'}")
