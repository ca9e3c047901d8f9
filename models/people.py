"""People behind reports and behind the counter. A reporter's phone lives here, apart
from the report, so no public query of reports can ever carry it; clerk accounts carry
their role and department, which decide what each of them may see and change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department

# clerk: their department's tickets; supervisor: the same, plus assigning clerks and
# sending tickets to another department; admin: everything, catalogue included.
ROLES = ("clerk", "supervisor", "admin")


class ReporterContact(Base):
    """One phone number (E.164) that reports were filed with."""

    __tablename__ = "reporter_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone_e164: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    # Consent: set by STOP (no message goes to this number any more), cleared by START.
    opted_out_at: Mapped[dt.datetime | None]
    # Last time this number wrote to us over WhatsApp: we answer there rather than by SMS.
    whatsapp_at: Mapped[dt.datetime | None]

    def __repr__(self) -> str:  # never let the number leak through a repr in a log
        return f"<ReporterContact {self.id}>"


class Clerk(Base):
    """A staff account: who signs in to triage, with which role, for which department."""

    __tablename__ = "clerks"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        # Only an administrator works across departments.
        CheckConstraint("role = 'admin' OR department_id IS NOT NULL", name="department"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    # Bumped whenever what a signed-in session vouches for changes (enabled/disabled,
    # password, role, department): a session or token carrying an older number is over.
    credentials_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set when an administrator creates the account or resets its password: the console
    # lets the user do nothing but choose a new password until they have.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    department: Mapped[Department | None] = relationship(lazy="joined")

    def __repr__(self) -> str:  # the hash stays out of logs
        return f"<Clerk {self.username} {self.role}>"


# The columns whose change ends every session of the account at once.
CREDENTIAL_COLUMNS = ("active", "password_hash", "role", "department_id")


@event.listens_for(Clerk, "before_update")
def _bump_credentials_version(_mapper, _connection, clerk: Clerk) -> None:
    """Whatever path changes an account (CLI, a future admin screen, a script), the
    version moves with it, so no caller can forget to end the old sessions."""
    state = inspect(clerk)
    if any(state.attrs[name].history.has_changes() for name in CREDENTIAL_COLUMNS):
        clerk.credentials_version = (clerk.credentials_version or 1) + 1
