"""Staff phone numbers for escalations, and each department's designated head. Free of
Flask; every change is in the audit log, with the number masked.

A number is validated as a reporter's is (a mobile, stored as E.164) and kept in its own
table (models.StaffContact): the console shows it in full only to its owner and to
administrators, masked everywhere else, and never in a log line or a public response.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizen_api.domain.phones import InvalidPhone, mask, parse_mobile
from citizen_api.domain.staff import Refused, record
from models import STAFF_CHANNELS, Clerk, Department, DepartmentHead, StaffContact


def contact_of(session: Session, clerk: Clerk) -> StaffContact | None:
    return session.scalar(select(StaffContact).where(StaffContact.clerk_id == clerk.id))


def may_see_number(viewer: Clerk, owner: Clerk) -> bool:
    """Only the number's owner and administrators see it in full."""
    return viewer.role == "admin" or viewer.id == owner.id


def shown_number(viewer: Clerk, owner: Clerk, contact: StaffContact | None) -> str | None:
    if contact is None:
        return None
    return contact.phone_e164 if may_see_number(viewer, owner) else mask(contact.phone_e164)


def set_contact(session: Session, actor: Clerk, clerk: Clerk, phone: str, channel: str) -> bool:
    """Set (or, with an empty phone, remove) the account's number and preferred channel;
    whether anything changed. The actor is the account's owner or an administrator."""
    if not may_see_number(actor, clerk):
        raise Refused("not-yours", "only the owner or an administrator sets this number")
    channel = (channel or "sms").strip()
    if channel not in STAFF_CHANNELS:
        raise Refused("channel", f"unknown channel {channel!r}", channel=channel)
    current = contact_of(session, clerk)
    raw = (phone or "").strip()
    if not raw:
        if current is None:
            return False
        session.delete(current)
        detail = "escalation phone removed"
    else:
        try:
            e164 = parse_mobile(raw)
        except InvalidPhone:
            raise Refused("phone", "not a mobile number") from None
        if current is not None and (current.phone_e164, current.channel) == (e164, channel):
            return False
        if current is None:
            current = StaffContact(clerk_id=clerk.id)
            session.add(current)
        current.phone_e164, current.channel = e164, channel
        detail = f"escalation phone {mask(e164)} via {channel}"
    record(session, actor, "user.contact", f"user:{clerk.username}", detail)
    session.flush()
    return True


def head_of(session: Session, department_id: int) -> Clerk | None:
    return session.scalar(
        select(Clerk)
        .join(DepartmentHead, DepartmentHead.clerk_id == Clerk.id)
        .where(DepartmentHead.department_id == department_id)
    )


def heads(session: Session) -> dict[int, Clerk]:
    """{department id: its head}."""
    rows = session.execute(
        select(DepartmentHead.department_id, Clerk).join(Clerk, Clerk.id == DepartmentHead.clerk_id)
    ).all()
    return {department_id: clerk for department_id, clerk in rows}


def set_head(session: Session, actor: Clerk, clerk: Clerk, is_head: bool) -> bool:
    """Make the account its department's head (replacing the previous one), or stop it
    being head; whether anything changed. Administrators only; the account must belong
    to the department."""
    if actor.role != "admin":
        raise Refused("not-yours", "only an administrator designates a department head")
    department: Department | None = clerk.department
    if department is None:
        raise Refused("head-department", "the account has no department")
    row = session.get(DepartmentHead, department.id)
    if is_head:
        if row is not None and row.clerk_id == clerk.id:
            return False
        before = row.clerk.username if row is not None else "-"
        if row is None:
            row = DepartmentHead(department_id=department.id)
            session.add(row)
        row.clerk_id = clerk.id
        detail = f"head of {department.code}: {before} -> {clerk.username}"
    else:
        if row is None or row.clerk_id != clerk.id:
            return False
        session.delete(row)
        detail = f"head of {department.code}: {clerk.username} -> -"
    record(session, actor, "department.head", f"user:{clerk.username}", detail)
    session.flush()
    return True
