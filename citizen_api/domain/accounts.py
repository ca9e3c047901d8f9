"""Clerk accounts: creating them, hashing and checking passwords. Free of Flask.

Passwords are hashed with Argon2id (argon2-cffi's defaults: slow and memory-hard).
Checking an unknown username costs the same as checking a wrong password, so timing
does not tell which usernames exist.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ROLES, Clerk, Department

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take as long.
_DUMMY_HASH = _hasher.hash("casa311 dummy password, never valid")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, `field`
    names what was wrong when it is one input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> Clerk | None:
    """The active clerk with these credentials, or None (whatever the reason)."""
    clerk = session.scalar(select(Clerk).where(Clerk.username == username.strip().lower()))
    if clerk is None:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(clerk.password_hash, password) or not clerk.active:
        return None
    return clerk


def create_clerk(
    session: Session,
    username: str,
    password: str,
    role: str,
    department_code: str | None = None,
) -> Clerk:
    """Add a new account to the session (flushed, not committed) or raise AccountError."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(
            "A username is 2-64 characters: lowercase letters, digits, '.', '_' or '-'."
        )
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose among {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters.")
    department = None
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise AccountError(f"Unknown department {department_code!r}.")
    elif role != "admin":
        raise AccountError(f"A {role} belongs to a department: give --department CODE.")
    if session.scalar(select(Clerk.id).where(Clerk.username == username)):
        raise AccountError(f"The username {username!r} is taken.")
    clerk = Clerk(
        username=username,
        password_hash=hash_password(password),
        role=role,
        department=department,
        active=True,
    )
    session.add(clerk)
    session.flush()
    return clerk


def set_active(session: Session, username: str, active: bool) -> Clerk:
    """Enable or disable an account; its tokens stop working at once, and those issued
    before a disable stay dead after an enable (the credentials version moved)."""
    clerk = _named(session, username)
    clerk.active = active
    session.flush()
    return clerk


def _named(session: Session, username: str) -> Clerk:
    clerk = session.scalar(select(Clerk).where(Clerk.username == username.strip().lower()))
    if clerk is None:
        raise AccountError(f"No account is named {username!r}.")
    return clerk


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters.")


def set_password(session: Session, username: str, password: str) -> Clerk:
    """An administrator's reset (or the CLI's): a new password, and every token and
    session of the account ends (the credentials version moves with the hash)."""
    _check_new_password(password)
    clerk = _named(session, username)
    clerk.password_hash = hash_password(password)
    session.flush()
    return clerk


def change_own_password(session: Session, clerk: Clerk, current: str, new: str) -> Clerk:
    """The clerk's own change: the current password first, then as set_password."""
    if not check_password(clerk.password_hash, current):
        raise AccountError("The current password is wrong.", "current_password")
    if current == new:
        raise AccountError("Choose a password other than the current one.", "new_password")
    _check_new_password(new)
    clerk.password_hash = hash_password(new)
    session.flush()
    return clerk


def change_clerk(
    session: Session, username: str, role: str | None = None, department_code: str | None = None
) -> Clerk:
    """A new role and/or department; the account's tokens end when either changes."""
    clerk = _named(session, username)
    role = role or clerk.role
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose among {', '.join(ROLES)}.")
    department = clerk.department
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise AccountError(f"Unknown department {department_code!r}.")
    if role == "admin":
        department = None
    elif department is None:
        raise AccountError(f"A {role} belongs to a department: give --department CODE.")
    clerk.role, clerk.department = role, department
    session.flush()
    return clerk
