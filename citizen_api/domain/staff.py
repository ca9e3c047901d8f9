"""Running staff accounts and API keys from the console, with an audit record of each
administrative action. Free of Flask.

Every change an administrator makes to an account (role, department, enabled, password)
touches a credential column, so the account's `credentials_version` moves on (models/
people.py): the user's console sessions and API tokens end at once, and the version
doubles as the edit form's guard — a form posted with an older version is refused
(StaleAccount) instead of silently undoing another administrator's change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizen_api.domain.accounts import (
    MIN_PASSWORD,
    USERNAME,
    AccountError,
    check_password,
    create_clerk,
    hash_password,
)
from models import ROLES, ApiKey, AuditEntry, Clerk, Department
from models.api_keys import InvalidKeyName, issue_key, revoke_key

# Temporary passwords: 16 characters from an alphabet without look-alikes, to be read
# out or copied once, then replaced by the user at their next sign-in.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
TEMP_PASSWORD_LENGTH = 16
MAX_PASSWORD = 1024


class Refused(AccountError):
    """An account or key change refused for a reason the console words in the user's
    language: `code` names the reason, `params` fill its message."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


class StaleAccount(AccountError):
    """The account changed since the form was shown; `last` is the latest audit entry
    about it (who changed it, when), if there is one."""

    def __init__(self, clerk: Clerk, last: AuditEntry | None):
        super().__init__(f"{clerk.username} changed since the form was shown")
        self.clerk = clerk
        self.last = last


@dataclass(frozen=True)
class Issued:
    """An account or key just made, with the secret to show once."""

    name: str
    secret: str


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(TEMP_PASSWORD_LENGTH))


def record(session: Session, actor: Clerk, action: str, target: str, detail: str = "") -> None:
    session.add(AuditEntry(actor=actor.username, action=action, target=target, detail=detail))


def account(session: Session, username: str) -> Clerk | None:
    return session.scalar(select(Clerk).where(Clerk.username == username.strip().lower()))


def last_change(session: Session, clerk: Clerk) -> AuditEntry | None:
    return session.scalar(
        select(AuditEntry)
        .where(AuditEntry.target == f"user:{clerk.username}")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _guard(session: Session, clerk: Clerk, version: int | None) -> None:
    if version != clerk.credentials_version:
        raise StaleAccount(clerk, last_change(session, clerk))


def _department(session: Session, role: str, code: str | None) -> Department | None:
    """The department a `role` account belongs to (None for an admin without one)."""
    if role not in ROLES:
        raise Refused("role", f"Unknown role {role!r}.", role=role)
    if not code:
        if role != "admin":
            raise Refused("department-needed", f"A {role} belongs to a department.")
        return None
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise Refused("department", f"Unknown department {code!r}.", department=code)
    return department


def create_account(
    session: Session, actor: Clerk, username: str, role: str, department_code: str | None
) -> Issued:
    """A new account with a temporary password the user must replace at first sign-in."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Refused("username", "A username is 2-64 lowercase letters, digits, '.', '_', '-'.")
    if account(session, username) is not None:
        raise Refused("taken", f"The username {username!r} is taken.", username=username)
    _department(session, role, department_code)
    password = temporary_password()
    clerk = create_clerk(session, username, password, role, department_code or None)
    clerk.must_change_password = True
    where = f", department {clerk.department.code}" if clerk.department else ""
    record(session, actor, "user.create", f"user:{clerk.username}", f"role {role}{where}")
    session.flush()
    return Issued(clerk.username, password)


def update_account(
    session: Session,
    actor: Clerk,
    clerk: Clerk,
    version: int | None,
    role: str,
    department_code: str | None,
) -> list[str]:
    """Set the role and department; the changes made, in words (none: nothing saved)."""
    _guard(session, clerk, version)
    department = _department(session, role, department_code)
    if clerk.id == actor.id and role != "admin":
        raise Refused("self-demote", "You cannot take the administrator role from yourself.")
    changes = []
    if role != clerk.role:
        changes.append(f"role: {clerk.role} -> {role}")
        clerk.role = role
    old = clerk.department.code if clerk.department else "-"
    new = department.code if department else "-"
    if old != new:
        changes.append(f"department: {old} -> {new}")
        clerk.department = department
    if changes:
        record(session, actor, "user.update", f"user:{clerk.username}", "; ".join(changes))
        session.flush()
    return changes


def set_enabled(
    session: Session, actor: Clerk, clerk: Clerk, version: int | None, enabled: bool
) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens at once."""
    _guard(session, clerk, version)
    if clerk.id == actor.id and not enabled:
        raise Refused("self-disable", "You cannot disable your own account.")
    if clerk.active == enabled:
        return
    clerk.active = enabled
    action = "user.enable" if enabled else "user.disable"
    record(session, actor, action, f"user:{clerk.username}")
    session.flush()


def reset_password(session: Session, actor: Clerk, clerk: Clerk, version: int | None) -> Issued:
    """A new temporary password (to show once); the user must replace it at sign-in."""
    _guard(session, clerk, version)
    password = temporary_password()
    clerk.password_hash = hash_password(password)
    clerk.must_change_password = True
    record(session, actor, "user.reset_password", f"user:{clerk.username}")
    session.flush()
    return Issued(clerk.username, password)


def change_own_password(session: Session, clerk: Clerk, current: str, new: str) -> None:
    """The signed-in user replaces their password (knowing the current one)."""
    if not check_password(clerk.password_hash, current[:MAX_PASSWORD]):
        raise Refused("current-password", "The current password is wrong.")
    if len(new) < MIN_PASSWORD or len(new) > MAX_PASSWORD:
        raise Refused("short-password", "The new password is too short.", min=MIN_PASSWORD)
    if check_password(clerk.password_hash, new):
        raise Refused("same-password", "The new password must differ from the current one.")
    clerk.password_hash = hash_password(new)
    clerk.must_change_password = False
    record(session, clerk, "user.change_password", f"user:{clerk.username}")
    session.flush()


def create_key(session: Session, actor: Clerk, name: str) -> Issued:
    """A new Open311 API key; its secret is returned once and never stored."""
    try:
        key, secret = issue_key(session, name.strip())
    except InvalidKeyName as exc:
        raise Refused("key-name", str(exc), name=name) from None
    record(session, actor, "apikey.create", f"apikey:{key.name}", f"hint {key.hint}")
    session.flush()
    return Issued(key.name, secret)


def revoke(session: Session, actor: Clerk, name: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise Refused("no-key", f"No API key is named {name!r}.", name=name)
    if key.revoked_at is None:
        revoke_key(session, name)
        record(session, actor, "apikey.revoke", f"apikey:{key.name}")
        session.flush()
    return key
