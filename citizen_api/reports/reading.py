"""Lean reads of reports for the public endpoints: Core selects of only the columns the
public representation shows (no ORM identity map, no joined catalogue rows: names come
from citizen_api.domain.catalogue_cache). On PostgreSQL each report's photos (and, for
one report, its history) come in the same statement, aggregated as JSON; SQLite reads
them in one more query per page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from models import Photo, RequestEvent, ServiceRequest

SR = ServiceRequest.__table__
PUBLIC_COLUMNS = (
    SR.c.id,
    SR.c.tracking_code,
    SR.c.status,
    SR.c.service_type_id,
    SR.c.area_id,
    SR.c.department_id,
    func.ST_X(SR.c.geom).label("long"),
    func.ST_Y(SR.c.geom).label("lat"),
    SR.c.address,
    SR.c.description,
    # Moderation: the serializers show no hidden description or photo
    # (citizen_api.domain.moderation.public_description / public_photos).
    SR.c.description_hidden,
    SR.c.requested_at,
    SR.c.updated_at,
    SR.c.expected_at,
    SR.c.supporters_count,
)
_original = aliased(ServiceRequest, name="original")
ORIGINAL_CODE = (
    select(_original.tracking_code)
    .where(_original.id == SR.c.duplicate_of_id)
    .scalar_subquery()
    .label("duplicate_of")
)
PHOTO_COLUMNS = (
    Photo.request_id,
    Photo.key,
    Photo.thumb_key,
    Photo.width,
    Photo.height,
    Photo.hidden,
)
EVENT_COLUMNS = (
    RequestEvent.kind,
    RequestEvent.to_status,
    RequestEvent.public,
    RequestEvent.note,
    RequestEvent.department_id,
    RequestEvent.created_at,
)


class PhotoRow(NamedTuple):
    key: str
    thumb_key: str
    width: int | None
    height: int | None
    hidden: bool


class EventRow(NamedTuple):
    kind: str
    to_status: str | None
    public: bool
    note: str | None
    department_id: int | None
    created_at: dt.datetime


def _json_of(columns, where, order):
    """PostgreSQL: a correlated subquery of the matching rows as one JSON array of
    arrays (NULL when there is none)."""
    return (
        select(func.json_agg(aggregate_order_by(func.json_build_array(*columns), order)))
        .where(where)
        .scalar_subquery()
    )


PHOTOS_JSON = _json_of(PHOTO_COLUMNS[1:], Photo.request_id == SR.c.id, Photo.id).label("photos")
EVENTS_JSON = _json_of(EVENT_COLUMNS, RequestEvent.request_id == SR.c.id, RequestEvent.id).label(
    "events"
)
# The list's columns on PostgreSQL: the public ones and the report's photos.
LIST_COLUMNS_PG = (*PUBLIC_COLUMNS, PHOTOS_JSON)


def list_columns(dialect: str) -> tuple:
    return LIST_COLUMNS_PG if dialect == "postgresql" else PUBLIC_COLUMNS


def report_by_code(session: Session, code: str):
    """The public columns of one report (and its original's code), or None; on
    PostgreSQL with its photos and events (see `photos_and_events`)."""
    columns = (*PUBLIC_COLUMNS, ORIGINAL_CODE)
    if session.get_bind().dialect.name == "postgresql":
        columns = (*columns, PHOTOS_JSON, EVENTS_JSON)
    return session.execute(select(*columns).where(SR.c.tracking_code == code)).first()


def photos_and_events(session: Session, row) -> tuple[list, list]:
    """A report's photos and events (rows of `report_by_code`), oldest first."""
    if "events" in row._fields:
        photos = [PhotoRow(*p) for p in row.photos or ()]
        events = [
            EventRow(*e[:5], dt.datetime.fromisoformat(e[5]).astimezone(dt.UTC))
            for e in row.events or ()
        ]
        return photos, events
    return photos_of(session, [row.id])[row.id], events_of(session, row.id)


def page_photos(session: Session, page) -> dict[int, list]:
    """The photos of each report of a page of rows (of `list_columns`)."""
    if page and "photos" in page[0]._fields:
        return {r.id: [PhotoRow(*p) for p in r.photos] if r.photos else [] for r in page}
    return photos_of(session, [r.id for r in page])


def events_of(session: Session, report_id: int) -> list:
    return session.execute(
        select(*EVENT_COLUMNS).where(RequestEvent.request_id == report_id).order_by(RequestEvent.id)
    ).all()


def photos_of(session: Session, report_ids: list[int]) -> dict[int, list]:
    """Each report's photos, oldest first, in one query."""
    found: dict[int, list] = defaultdict(list)
    if report_ids:
        rows = session.execute(
            select(*PHOTO_COLUMNS).where(Photo.request_id.in_(report_ids)).order_by(Photo.id)
        )
        for row in rows:
            found[row.request_id].append(row)
    return found
