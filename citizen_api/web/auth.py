"""Clerks' access tokens: POST /api/v1/auth/token, and the check every triage call makes.

Tokens are JWTs (HS256, signed with SECRET_KEY) naming the clerk by id and the
account's credentials version (`cv`). Each request reloads the account: a token works
only while the account is active and its version is the one the token carries, so a
disable (even followed by an enable), a password change or reset, and a role or
department change each end every token issued before (models.people bumps the version).

POST /auth/password is the clerk's own password change (answering a fresh token);
POST /auth/clerks/{username}/password is an administrator's reset.
"""

from __future__ import annotations

import datetime as dt

import jwt
from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from citizen_api.domain.accounts import (
    MIN_PASSWORD,
    AccountError,
    authenticate,
    change_own_password,
    set_password,
)
from citizen_api.extensions import db
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.responses import json_response
from citizen_api.web.sign_in_limit import count_sign_in
from models import Clerk

ISSUER = "casa311"
AUDIENCE = "casa311-triage"
ALGORITHM = "HS256"
BEARER_SCHEME = "clerkToken"
SECURITY = [{BEARER_SCHEME: []}]

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Clerks' sign-in")


class TokenRequestIn(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "Seconds until the token expires."})


def _unauthorized(detail: str, error: str = "invalid_token") -> Problem:
    return Problem(
        401,
        detail,
        type="unauthorized",
        headers={"WWW-Authenticate": f'Bearer realm="casa311", error="{error}"'},
    )


def issue_token(clerk: Clerk) -> tuple[str, int]:
    ttl = current_app.config["ACCESS_TOKEN_TTL"]
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(clerk.id),
        "cv": clerk.credentials_version,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + dt.timedelta(seconds=ttl),
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), ttl


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def clerk_from_token(token: str) -> Clerk:
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "cv"]},
        )
        clerk_id, version = int(claims["sub"]), claims["cv"]
    except jwt.ExpiredSignatureError:
        raise _unauthorized("The access token has expired; sign in again.") from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise _unauthorized("The access token is not valid.") from None
    clerk = db.session.get(Clerk, clerk_id)
    if clerk is None or not clerk.active:
        raise _unauthorized("This account is disabled or no longer exists.")
    if isinstance(version, bool) or version != clerk.credentials_version:
        raise _unauthorized(
            "This token ended when the account changed (password, role, department or "
            "access); sign in again."
        )
    return clerk


def sign_in_request() -> None:
    """Put the request's clerk in `g.clerk`, or refuse it with 401 (a before_request hook
    of every staff blueprint, so nothing else runs for an anonymous caller)."""
    token = bearer_token()
    if token is None:
        raise _unauthorized(
            "Sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/token.",
            "invalid_request",
        )
    g.clerk = clerk_from_token(token)


@blp.post("/token")
@blp.arguments(TokenRequestIn)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="Wrong username or password, or a disabled account")
@blp.alt_response(403, description="The account has a temporary password to replace first")
def create_token(data):
    """Exchange a clerk's username and password for a bearer access token."""
    count_sign_in(data["username"])
    clerk = authenticate(db.session, data["username"], data["password"])
    if clerk is None:
        raise Problem(401, "The username or password is wrong.", type="invalid-credentials")
    if clerk.must_change_password:
        raise Problem(
            403,
            "This account has a temporary password: sign in to /console and choose a new one.",
            type="password-change-required",
        )
    token, ttl = issue_token(clerk)
    body = {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
    return json_response(body, headers={"Cache-Control": "no-store"})


class PasswordChangeIn(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(1, 1024)
    )
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(MIN_PASSWORD, 1024)
    )


class PasswordResetIn(Schema):
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(MIN_PASSWORD, 1024)
    )


@blp.post("/password")
@blp.arguments(PasswordChangeIn)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(422, description="The current password is wrong, or the new one too short")
@blp.doc(security=SECURITY)
def change_password(data):
    """Change your own password. Every token of the account ends, this one included;
    the answer carries a new one."""
    sign_in_request()
    count_sign_in(g.clerk.username)  # guessing the current password is a sign-in attempt
    try:
        clerk = change_own_password(
            db.session, g.clerk, data["current_password"], data["new_password"]
        )
    except AccountError as exc:
        db.session.rollback()
        raise validation_problem({exc.field or "new_password": [str(exc)]}) from None
    db.session.commit()
    token, ttl = issue_token(clerk)
    body = {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
    return json_response(body, headers={"Cache-Control": "no-store"})


@blp.post("/clerks/<username>/password")
@blp.arguments(PasswordResetIn)
@blp.response(204)
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Only an administrator resets passwords")
@blp.alt_response(404, description="No account has this username")
@blp.doc(security=SECURITY)
def reset_password(data, username):
    """An administrator sets a clerk's new password; every token of that account ends."""
    sign_in_request()
    if g.clerk.role != "admin":
        raise Problem(403, "Only an administrator resets passwords.", type="forbidden")
    try:
        set_password(db.session, username, data["new_password"])
    except AccountError as exc:
        db.session.rollback()
        raise Problem(404, str(exc), type="not-found") from None
    db.session.commit()
    return "", 204
