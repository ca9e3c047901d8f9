"""Lean reads of reports for the public endpoints: Core selects of only the columns the
public representation shows (no ORM identity map, no joined catalogue rows: names come
from citizen_api.domain.catalogue_cache), and one query for the photos of a whole page."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
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


def report_by_code(session: Session, code: str):
    """The public columns of one report (and its original's code), or None."""
    return session.execute(
        select(*PUBLIC_COLUMNS, ORIGINAL_CODE).where(SR.c.tracking_code == code)
    ).first()


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
