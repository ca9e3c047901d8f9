"""The console's reading of the queue: its filters from a query string, each checked
(an unknown value is refused with a message and not applied), and the page of tickets.

The sorts, their keyset cursor and the scope are triage's own (the same queue as
/api/v1/triage/requests), so the console and the API always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from citizen_api.console.i18n import CASABLANCA
from citizen_api.domain.workflow import scope
from citizen_api.triage.queries import cursor_values, queue_query
from citizen_api.triage.summary import overdue_condition
from citizen_api.web.cursor import encode_cursor
from models import (
    OPEN_STATUSES,
    STATUSES,
    Area,
    Clerk,
    ResponseTemplate,
    ServiceRequest,
    ServiceType,
)

# The console's sort names -> triage's.
SORTS = {"newest": "-requested", "due": "due", "priority": "priority"}
PAGE_SIZE = 50
MAX_TEXT = 200


@dataclass
class QueueFilters:
    """What the clerk asked for: the values kept (to fill the form back) and the
    refused ones with why."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    status_condition: object = None
    sort: str = "newest"
    cursor: list | None = None
    clerk: Clerk | None = None


def _local_day(text: str) -> dt.datetime:
    day = dt.date.fromisoformat(text)
    return dt.datetime.combine(day, dt.time(), tzinfo=CASABLANCA)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_filters(session: Session, clerk: Clerk, args) -> QueueFilters:
    """Read the queue's query string; every refused value leaves a message."""
    f = QueueFilters()
    sr = ServiceRequest
    get = lambda name: (args.get(name) or "").strip()  # noqa: E731

    status = get("status")
    if status == "open":
        f.status_condition = sr.status.in_(OPEN_STATUSES)
    elif status in STATUSES:
        f.status_condition = sr.status == status
    elif status:
        f.errors["status"] = _("Unknown status; pick one from the list.")
    service = get("service")
    if service:
        known = session.scalar(select(ServiceType.id).where(ServiceType.code == service))
        if known is None:
            f.errors["service"] = _("Unknown service; pick one from the list.")
        else:
            f.conditions.append(sr.service_type_id == known)
    area = get("area")
    if area:
        known = session.scalar(select(Area.id).where(Area.code == area))
        if known is None:
            f.errors["area"] = _("Unknown area; pick one from the list.")
        else:
            f.conditions.append(sr.area_id == known)
    overdue = get("overdue")
    if overdue == "1":
        f.conditions.append(overdue_condition())
    elif overdue:
        f.errors["overdue"] = _("Tick the box or leave it empty.")
    assignee = get("assignee")
    if assignee == "me":
        f.conditions.append(sr.assignee_id == clerk.id)
    elif assignee == "none":
        f.conditions.append(sr.assignee_id.is_(None))
    elif assignee:
        f.errors["assignee"] = _("Choose “assigned to me” or “unassigned”.")
    text = get("q")
    if len(text) > MAX_TEXT:
        f.errors["q"] = _("At most %(n)d characters.", n=MAX_TEXT)
    elif text:
        pattern = f"%{_escape_like(text.lower())}%"
        f.conditions.append(
            or_(
                func.lower(sr.description).like(pattern, escape="\\"),
                func.lower(sr.address).like(pattern, escape="\\"),
            )
        )
    for name, before in (("from", False), ("to", True)):
        raw = get(name)
        if not raw:
            continue
        try:
            start = _local_day(raw)
        except ValueError:
            f.errors[name] = _("A date such as 2026-12-01.")
            continue
        if before:  # the whole day given is included
            f.conditions.append(sr.requested_at < start + dt.timedelta(days=1))
        else:
            f.conditions.append(sr.requested_at >= start)
    sort = get("sort") or "newest"
    if sort not in SORTS:
        f.errors["sort"] = _("Unknown order; pick one from the list.")
        sort = "newest"
    f.sort = sort
    cursor = get("cursor")
    if cursor:
        try:
            f.cursor = cursor_values(cursor, SORTS[sort])
        except HTTPException:  # triage's codec answers a bad cursor with a 422 Problem
            f.errors["cursor"] = _("This page link is out of date; start from the first page.")
    f.values = {
        name: get(name)
        for name in ("status", "service", "area", "overdue", "assignee", "q", "from", "to")
        if name not in f.errors and get(name)
    }
    if sort != "newest":
        f.values["sort"] = sort
    f.conditions.insert(0, scope(clerk))  # also in queue_query; status_counts needs it
    f.clerk = clerk
    return f


def queue_page(session: Session, f: QueueFilters, limit: int = PAGE_SIZE):
    """(tickets, next cursor or None) for the filters, in their sort, by keyset."""
    sort = SORTS[f.sort]
    query = queue_query(f.clerk, sort, f.cursor)
    for condition in f.conditions:
        query = query.where(condition)
    if f.status_condition is not None:
        query = query.where(f.status_condition)
    rows = session.execute(query.limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    cursor = encode_cursor([sort, *page[-1][1:]]) if more else None
    return [row[0] for row in page], cursor


def status_counts(session: Session, f: QueueFilters) -> dict[str, int]:
    """How many tickets of each status match the other filters (the status tabs)."""
    query = select(ServiceRequest.status, func.count()).group_by(ServiceRequest.status)
    for condition in f.conditions:
        query = query.where(condition)
    return dict(session.execute(query).all())


def choices(session: Session, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The services and areas to pick from, by name in the clerk's language."""
    services = session.scalars(select(ServiceType).where(ServiceType.active.is_(True))).all()
    areas = session.scalars(select(Area)).all()
    return {
        "services": sorted(((s.code, s.name(lang)) for s in services), key=lambda i: i[1]),
        "areas": sorted(((a.code, a.name(lang)) for a in areas), key=lambda i: i[1]),
    }


def department_members(session: Session, report: ServiceRequest) -> list[Clerk]:
    """Who a ticket can be assigned to: the active clerks and supervisors of its department."""
    return session.scalars(
        select(Clerk)
        .where(
            Clerk.department_id == report.department_id,
            Clerk.active.is_(True),
            Clerk.role != "admin",
        )
        .order_by(Clerk.username)
    ).all()


def replies_for(session: Session, report: ServiceRequest) -> list[ResponseTemplate]:
    """The canned replies offered on a ticket: its department's, for its service type or
    for every type."""
    rt = ResponseTemplate
    return session.scalars(
        select(rt)
        .where(
            rt.department_id == report.department_id,
            or_(rt.service_type_id.is_(None), rt.service_type_id == report.service_type_id),
        )
        .order_by(rt.status, rt.title)
    ).all()
