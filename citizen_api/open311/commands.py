"""`flask --app citizen_api apikeys create|revoke|list`: keys for Open311's create method."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from citizen_api.extensions import db
from models.api_keys import ApiKey, InvalidKeyName, issue_key, revoke_key


def register_apikeys(app: Flask) -> None:
    @app.cli.group("apikeys")
    def apikeys():
        """API keys of partner apps that file requests through Open311."""

    @apikeys.command("create")
    @click.argument("name")
    def create(name):
        """Issue a key named NAME and print it: it is shown this once, only its hash is kept."""
        try:
            _, secret = issue_key(db.session, name)
        except InvalidKeyName as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(secret)
        click.echo(f"API key {name!r} created. Copy it now: it cannot be shown again.", err=True)

    @apikeys.command("revoke")
    @click.argument("name")
    def revoke(name):
        """Revoke the key named NAME: Open311 refuses it from now on."""
        key = revoke_key(db.session, name)
        if key is None:
            raise click.ClickException(f"no API key is named {name!r}")
        db.session.commit()
        click.echo(f"API key {name!r} revoked")

    @apikeys.command("list")
    def list_keys():
        """List the keys: name, first characters, created, revoked."""
        for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
            revoked = key.revoked_at.isoformat() if key.revoked_at else "active"
            click.echo(f"{key.name}\t{key.hint}…\t{key.created_at.isoformat()}\t{revoked}")
