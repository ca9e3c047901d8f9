"""API keys for partner apps that file reports through Open311.

A key is shown once, when it is issued; only its SHA-256 digest is stored. Keys are long
random strings, so a plain digest is enough (a slow password hash protects low-entropy
secrets, which these are not) and a lookup by digest finds the key in one indexed query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, BigId, utcnow

KEY_PREFIX = "c311_"
NAME = re.compile(r"[A-Za-z0-9._-]{1,50}")


class ApiKey(Base):
    """A partner's key for Open311's create method; revoked keys stay for the record."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, enough for a person to tell keys apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    revoked_at: Mapped[dt.datetime | None]

    def __repr__(self) -> str:
        return f"<ApiKey {self.name}>"


class InvalidKeyName(ValueError):
    """The name is malformed or already taken."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Add a new key named `name` to the session; return it and the secret to show once."""
    if not NAME.fullmatch(name):
        raise InvalidKeyName("a key name is 1-50 letters, digits, '.', '_' or '-'")
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise InvalidKeyName(f"a key named {name!r} already exists")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=digest(secret), hint=secret[: len(KEY_PREFIX) + 4])
    session.add(key)
    session.flush()
    return key, secret


def active_key(session: Session, secret: str | None) -> ApiKey | None:
    """The unrevoked key whose secret this is, or None."""
    if not secret:
        return None
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == digest(secret), ApiKey.revoked_at.is_(None))
    )


def revoke_key(session: Session, name: str) -> ApiKey | None:
    """Revoke the key named `name` (no-op if already revoked); None if there is none."""
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key
