"""GET requests: the spec's filters and the extensions real deployments serve.

- `service_request_id` (a comma list) overrides every other filter;
- `service_code` (comma list), `status` (`open`, `closed` or both);
- `start_date`/`end_date` on requested_datetime: at most 90 days apart; one alone spans
  the 90 days after (or before) it; with neither (and no `updated_*`), the last 90 days;
- extensions: `updated_after`/`updated_before`, `lat`+`long`+`radius` (metres),
  `bbox=minLng,minLat,maxLng,maxLat`, `page`/`page_size` (default: the first 1,000).
Newest first. Free of Flask: it reads a MultiDict of non-empty parameters.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from citizen_api.domain.catalogue_cache import ids_for
from citizen_api.domain.tracking import normalize
from citizen_api.open311.args import bad, comma_list, integer, number, when
from citizen_api.reports.schemas import parse_bbox
from models import OPEN_STATUSES, ServiceRequest
from models.spatial import in_envelope, within_radius

MAX_SPAN = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_RADIUS_M = 10_000


def base_query(with_events: bool = True):
    query = select(ServiceRequest).order_by(
        ServiceRequest.requested_at.desc(), ServiceRequest.id.desc()
    )
    return query.options(selectinload(ServiceRequest.events)) if with_events else query


def find_requests(session: Session, args: MultiDict, now: dt.datetime) -> list[ServiceRequest]:
    """The requests `args` select, newest first."""
    query = base_query()
    ids = comma_list(args, "service_request_id")
    if ids is not None:
        codes = [code for code in map(normalize, ids) if code]
        return list(session.scalars(query.where(ServiceRequest.tracking_code.in_(codes))))
    for condition in _conditions(session, args, now):
        query = query.where(condition)
    page = integer(args, "page", 1, 100_000, default=1)
    size = integer(args, "page_size", 1, MAX_PAGE_SIZE, default=MAX_PAGE_SIZE)
    return list(session.scalars(query.limit(size).offset((page - 1) * size)))


def _conditions(session: Session, args: MultiDict, now: dt.datetime):
    sr = ServiceRequest
    codes = comma_list(args, "service_code")
    if codes is not None:
        ids, unknown = ids_for(session, "service_code", codes)
        if unknown:
            raise bad("service_code", f"Unknown service code: {', '.join(unknown)}.")
        yield sr.service_type_id.in_(ids)

    statuses = comma_list(args, "status")
    if statuses is not None:
        wrong = [s for s in statuses if s not in ("open", "closed")]
        if wrong:
            raise bad("status", "Must be open, closed, or open,closed.")
        if statuses == ["open"]:
            yield sr.status.in_(OPEN_STATUSES)
        elif statuses == ["closed"]:
            yield sr.status.not_in(OPEN_STATUSES)

    yield from _time_window(args, now)
    yield from _place(session.get_bind().dialect.name, args)


def _time_window(args: MultiDict, now: dt.datetime):
    sr = ServiceRequest
    start, end = when(args, "start_date"), when(args, "end_date")
    after, before = when(args, "updated_after"), when(args, "updated_before")
    if start and end:
        if end <= start:
            raise bad("end_date", "Must be later than start_date.")
        if end - start > MAX_SPAN:
            raise bad("end_date", "start_date and end_date may be at most 90 days apart.")
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    elif not (after or before):
        start = now - MAX_SPAN
    if start:
        yield sr.requested_at >= start
    if end:
        yield sr.requested_at <= end
    if after and before and before <= after:
        raise bad("updated_before", "Must be later than updated_after.")
    if after:
        yield sr.updated_at > after
    if before:
        yield sr.updated_at < before


def _place(dialect: str, args: MultiDict):
    sr = ServiceRequest
    near = [k for k in ("lat", "long", "radius") if k in args]
    if near:
        if len(near) != 3:
            raise bad("radius", "lat, long and radius (in metres) go together.")
        lat = number(args, "lat", -90, 90)
        lon = number(args, "long", -180, 180)
        radius = number(args, "radius", 1, MAX_RADIUS_M)
        yield within_radius(dialect, sr.geom, sr.id, lon, lat, radius)
    if "bbox" in args:
        try:
            box = parse_bbox(args["bbox"])
        except ValueError as exc:
            raise bad("bbox", str(exc)) from None
        yield in_envelope(dialect, sr.geom, sr.id, box)
