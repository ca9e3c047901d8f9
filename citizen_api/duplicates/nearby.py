"""Open reports of one service type near a point, and supporters. Free of Flask.

"Near" is the service type's ``duplicate_radius_m`` (default 250 m); "recent" is the last
30 days. The spatial index narrows to a box first, then the exact distance decides.
"""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from citizen_api.domain.support import confirmed_contact, record_supporter
from models import OPEN_STATUSES, ServiceRequest, utcnow
from models.spatial import distance_m, envelope_around, in_envelope, point

NEARBY_DAYS = 30
NEARBY_LIMIT = 20


def nearby_open_reports(
    session: Session,
    service_type_id: int,
    lon: float,
    lat: float,
    radius_m: float,
    *,
    days: int = NEARBY_DAYS,
    exclude_id: int | None = None,
    limit: int = NEARBY_LIMIT,
) -> list[tuple[ServiceRequest, float]]:
    """Open reports of the type within `radius_m` of the point, filed in the last `days`
    days, nearest first, each with its distance in metres."""
    sr = ServiceRequest
    dialect = session.get_bind().dialect.name
    distance = distance_m(sr.geom, point(lon, lat)).label("distance_m")
    query = (
        select(sr, distance)
        .where(
            sr.service_type_id == service_type_id,
            sr.status.in_(OPEN_STATUSES),
            sr.requested_at >= utcnow(-24 * days),
            in_envelope(dialect, sr.geom, sr.id, envelope_around(lon, lat, radius_m)),
            distance <= radius_m,
        )
        .order_by(distance, sr.id)
        .limit(limit)
    )
    if exclude_id is not None:
        query = query.where(sr.id != exclude_id)
    return [(row[0], float(row[1])) for row in session.execute(query)]


def nearby_for_ticket(
    session: Session, report: ServiceRequest, limit: int = NEARBY_LIMIT
) -> list[tuple[ServiceRequest, float]]:
    """For clerks: the other open reports that may be duplicates of `report`."""
    return nearby_open_reports(
        session,
        report.service_type_id,
        report.long,
        report.lat,
        report.service_type.duplicate_radius_m,
        exclude_id=report.id,
        limit=limit,
    )


# (supporters at least, priority steps added): each step needs about twice as many
# residents, capped so that a crowd cannot outrank danger.
BOOST_STEPS = ((7, 3), (3, 2), (1, 1))


def priority_boost(report: ServiceRequest) -> int:
    """How many steps of triage priority the verified supporters add: 1 supporter +1,
    3 +2, 7 or more +3. Only supporters vouched for by a confirmed phone count."""
    count = report.verified_supporters or 0
    return next((steps for least, steps in BOOST_STEPS if count >= least), 0)


def priority_boost_sql(supporters_count):
    """The same as priority_boost, as a SQL expression over the supporters column."""
    return case(*((supporters_count >= least, steps) for least, steps in BOOST_STEPS), else_=0)


def add_supporter(
    session: Session, report: ServiceRequest, device_id: str, voucher: ServiceRequest | None = None
) -> tuple[bool, bool]:
    """Count `device_id` as a supporter of `report` once; with `voucher` (the supporter's
    own report, its token checked by the caller) whose phone is confirmed, the supporter
    also raises priority, once per phone. (counted, verified); retries count nothing.
    Commits."""
    contact_id = confirmed_contact(session, voucher)
    if not record_supporter(session, report, device_id, contact_id):
        session.rollback()
        return False, False
    session.commit()
    session.refresh(report, ["supporters_count", "verified_supporters"])
    return True, contact_id is not None
