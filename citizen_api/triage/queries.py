"""The triage queue's shared queries: a ticket in a clerk's scope, the queue's sorts and
their keyset paging. Used by /api/v1/triage and by the clerks' console, so both always
list, order and page the same tickets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, false, or_, select
from sqlalchemy.orm import Session

from citizen_api.domain.tracking import normalize
from citizen_api.domain.workflow import scope
from citizen_api.duplicates import priority_boost_sql
from citizen_api.web.cursor import decode_cursor, keys_fit
from models import PRIORITIES, Clerk, ServiceRequest

# A sort: its keys, each (SQL expression, ascending?, may be NULL?), NULLs last. The
# queue pages by keyset: the cursor holds the last row's keys, the next page starts after.
SortKey = tuple  # (expression, ascending, nullable)
CURSOR_MESSAGE = "Not a cursor of this sort; use next_cursor from a previous page."
# The Python type of each sort's keys, in sort_keys' order (ranks and ids are ints).
KEY_KINDS = {"due": (dt.datetime, int), "priority": (int, dt.datetime, int)}
DEFAULT_KINDS = (dt.datetime, int)


def ticket_in_scope(session: Session, clerk: Clerk, code: str) -> ServiceRequest | None:
    """The ticket with this code if the clerk may see it; None otherwise (callers answer
    404 either way, so another department's codes are never confirmed)."""
    canonical = normalize(code)
    if not canonical:
        return None
    return session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical, scope(clerk))
    )


def sort_keys(name: str) -> list[SortKey]:
    sr = ServiceRequest
    if name == "due":
        return [(sr.expected_at, True, True), (sr.id, True, False)]
    if name == "priority":
        # Supporters raise a ticket's rank as they raise its effective priority.
        rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=sr.priority)
        boosted = rank - priority_boost_sql(sr.verified_supporters)
        effective = case((boosted < 0, 0), else_=boosted)
        return [(effective, True, False), (sr.expected_at, True, True), (sr.id, True, False)]
    return [(sr.requested_at, False, False), (sr.id, False, False)]


def order_by(keys: list[SortKey]):
    return [
        (expr.asc() if ascending else expr.desc()).nulls_last() if nullable
        else (expr.asc() if ascending else expr.desc())
        for expr, ascending, nullable in keys
    ]  # fmt: skip


def after(keys: list[SortKey], values: list):
    """SQL: rows that sort after the row whose keys are `values`."""

    def same(expr, value):
        return expr.is_(None) if value is None else expr == value

    def beyond(expr, ascending, nullable, value):
        if value is None:
            return false()  # NULLs come last: nothing sorts after one on this key
        later = expr > value if ascending else expr < value
        return or_(later, expr.is_(None)) if nullable else later

    return or_(
        *(
            and_(*(same(k[0], v) for k, v in zip(keys[:i], values[:i], strict=True)),
                 beyond(*keys[i], values[i]))
            for i in range(len(keys))
        )
    )  # fmt: skip


def cursor_values(cursor: str, sort: str) -> list:
    """The last row's sort keys from a queue cursor ([sort, *keys]) of this sort; a 422
    Problem on `cursor` when it is not one."""

    kinds = [
        (kind, nullable)
        for kind, (_expr, _asc, nullable) in zip(
            KEY_KINDS.get(sort, DEFAULT_KINDS), sort_keys(sort), strict=True
        )
    ]

    def valid(values):
        return bool(values) and values[0] == sort and keys_fit(values[1:], kinds)

    return decode_cursor(cursor, valid, CURSOR_MESSAGE)[1:]


def queue_query(clerk: Clerk, sort: str, cursor: list | None = None):
    """The clerk's tickets in `sort` order, after `cursor`'s row when given; each row is
    (ticket, *its sort keys) so the page's last row gives the next cursor."""
    keys = sort_keys(sort)
    query = select(ServiceRequest, *(k[0] for k in keys)).where(scope(clerk))
    if cursor is not None:
        query = query.where(after(keys, cursor))
    return query.order_by(*order_by(keys))
