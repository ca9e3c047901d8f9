"""The queue (/console/): the tickets in the clerk's scope, filtered, sorted, paged."""

from __future__ import annotations

from flask import g, request, url_for
from sqlalchemy import select

from citizen_api.console.blueprint import blp, page
from citizen_api.console.i18n import current_language
from citizen_api.console.labels import PRIORITY, SORT, STATUS
from citizen_api.console.queries import choices, parse_filters, queue_page, status_counts
from citizen_api.console.session import signed_in
from citizen_api.domain.workflow import is_overdue
from citizen_api.extensions import db
from citizen_api.triage.present import effective_priority
from models import STATUSES, utcnow


@blp.get("/")
@signed_in
def queue():
    """The clerk's queue with its filters; refused filter values are said, not applied."""
    lang = current_language()
    filters = parse_filters(db.session, g.clerk, request.args)
    tickets, cursor = queue_page(db.session, filters)
    now = db.session.scalar(select(utcnow()))
    counts = status_counts(db.session, filters)
    rows = [
        {
            "report": t,
            "service": t.service_type.name(lang),
            "area": t.area.name(lang),
            "status": STATUS[t.status],
            "priority": PRIORITY[effective_priority(t)],
            "overdue": is_overdue(t, now),
        }
        for t in tickets
    ]
    base = {k: v for k, v in filters.values.items()}
    tabs = [
        {
            "status": s,
            "label": STATUS[s],
            "count": counts.get(s, 0),
            "url": url_for("console.queue", **{**base, "status": s}),
            "current": base.get("status") == s,
        }
        for s in STATUSES
    ]
    next_url = url_for("console.queue", **base, cursor=cursor) if cursor else None
    return page(
        "console/queue.html",
        422 if filters.errors else 200,
        filters=filters,
        rows=rows,
        tabs=tabs,
        total=sum(counts.values()),
        all_url=url_for("console.queue", **{k: v for k, v in base.items() if k != "status"}),
        next_url=next_url,
        map_url=url_for("console.queue_map", **base),
        statuses=[(s, STATUS[s]) for s in STATUSES],
        sorts=list(SORT.items()),
        priorities=list(PRIORITY.items()),
        **choices(db.session, lang),
    )
