"""Publishing an alert, revising or cancelling it, and listing those that matter now.

Each publication and each revision is one version (one CAP message) and queues one
message per subscriber of the covered areas, in the same transaction (so nothing is
half-published: the alert and its outbox rows commit together or not at all).

Free of Flask: raises AlertInvalid (field -> messages) and AlertClosed; the web layer
turns them into problem+json.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizen_api.domain.alert_areas import (
    Reason,
    check_polygon,
    city_shapes,
    covers,
    touched_areas,
)
from citizen_api.domain.catalogue_cache import catalogue
from models import Alert, utcnow
from notifications.broadcast import queue_alert

EDITABLE = (
    "kind",
    "severity",
    "areas",
    "polygon",
    "services",
    "starts_at",
    "ends_at",
    "headline",
    "text",
)
# An alert runs at most this long; a longer "alert" is a policy, not a warning.
MAX_DURATION = dt.timedelta(days=90)


class AlertInvalid(Exception):
    """Input that cannot make an alert; `errors` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid alert")
        self.errors = errors


class AlertClosed(Exception):
    """A cancelled alert cannot change any more."""


def _check(session: Session, values: dict, now: dt.datetime, creating: bool):
    """Every rule an alert's fields must meet together; the covered areas if they do."""
    errors: dict[str, list[str]] = {}
    city = city_shapes(session)
    unknown = [c for c in values["areas"] if c not in city.by_code]
    if unknown:
        errors["areas"] = [
            Reason(
                "areas-unknown",
                f"Unknown area(s) {', '.join(unknown)}; "
                f"known areas: {', '.join(sorted(city.by_code))}.",
                codes=unknown,
            )
        ]
    polygon = None
    if values.get("polygon") is not None:
        polygon, problems = check_polygon(values["polygon"], city)
        if problems:
            errors["polygon"] = problems
    if not values["areas"] and values.get("polygon") is None:
        errors.setdefault("areas", []).append(
            Reason("areas-none", "Name at least one area or draw a polygon.")
        )
    known = catalogue(session).services_by_code
    unknown = [c for c in values["services"] if c not in known]
    if unknown:
        errors["services"] = [
            Reason(
                "services-unknown",
                f"Unknown service code(s) {', '.join(unknown)}; see /api/v1/services.",
                codes=unknown,
            )
        ]
    starts, ends = values["starts_at"], values["ends_at"]
    if ends <= starts:
        errors["ends_at"] = [Reason("ends-before-start", "ends_at must come after starts_at.")]
    elif ends - starts > MAX_DURATION:
        errors["ends_at"] = [
            Reason("too-long", "An alert lasts at most 90 days; publish a new one after.")
        ]
    elif creating and ends <= now:
        errors["ends_at"] = [
            Reason("ended", "ends_at is already past: an alert must still be running.")
        ]
    if errors:
        raise AlertInvalid(errors)
    covered = set(values["areas"])
    if polygon is not None:
        covered.update(touched_areas(polygon, city))
    return sorted(covered), [city.ids[c] for c in sorted(covered)]


def _revision(
    version: int, now: dt.datetime, msg_type: str, author: str | None, changed: list[str]
) -> dict:
    """One version's record: when, which CAP message, by whom and which fields moved
    (a stale form is told who changed what since)."""
    revision = {"version": version, "sent": now.isoformat(timespec="seconds"), "msg_type": msg_type}
    if author:
        revision["by"] = author
    if changed:
        revision["changed"] = changed
    return revision


def publish(session: Session, author: str, data: dict, now: dt.datetime) -> Alert:
    """A new alert (version 1, CAP msgType Alert), its messages queued."""
    values = {"areas": [], "services": [], "polygon": None, **data}
    covered, area_ids = _check(session, values, now, creating=True)
    alert = Alert(
        kind=values["kind"],
        severity=values["severity"],
        area_codes=sorted(set(values["areas"])),
        covered_areas=covered,
        polygon=values["polygon"],
        service_codes=sorted(set(values["services"])),
        starts_at=values["starts_at"],
        ends_at=values["ends_at"],
        headline=values["headline"],
        description=values["text"],
        revisions=[_revision(1, now, "Alert", author, [])],
        created_by=author,
    )
    session.add(alert)
    session.flush()
    queue_alert(session, alert, area_ids, "Alert")
    return alert


def current_values(alert: Alert) -> dict:
    return {
        "kind": alert.kind,
        "severity": alert.severity,
        "areas": list(alert.area_codes),
        "polygon": alert.polygon,
        "services": list(alert.service_codes),
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "headline": alert.headline,
        "text": alert.description,
    }


def revise(
    session: Session, alert: Alert, changes: dict, now: dt.datetime, author: str | None = None
) -> Alert:
    """Apply `changes` (any editable field, or status "cancelled") as the next version
    (CAP Update or Cancel, referencing the versions before) and queue its messages."""
    if alert.status == "cancelled":
        raise AlertClosed()
    cancel = changes.get("status") == "cancelled"
    before = current_values(alert)
    values = {**before, **{k: v for k, v in changes.items() if k in EDITABLE}}
    for lang_field in ("headline", "text"):
        if lang_field in changes:  # a partial translation update keeps the others
            values[lang_field] = {**before[lang_field], **changes[lang_field]}
    covered, area_ids = _check(session, values, now, creating=False)
    changed = [name for name in EDITABLE if _differs(before[name], values[name], name)]
    next_version = alert.version + 1
    msg_type = "Cancel" if cancel else "Update"
    alert.kind, alert.severity = values["kind"], values["severity"]
    alert.area_codes = sorted(set(values["areas"]))
    alert.covered_areas = covered
    alert.polygon = values["polygon"]
    alert.service_codes = sorted(set(values["services"]))
    alert.starts_at, alert.ends_at = values["starts_at"], values["ends_at"]
    alert.headline, alert.description = values["headline"], values["text"]
    alert.revisions = [
        *alert.revisions,
        _revision(next_version, now, msg_type, author, [] if cancel else changed),
    ]
    if cancel:
        alert.status, alert.cancelled_at = "cancelled", now
    session.flush()  # the version counter moves here (a concurrent edit: StaleDataError)
    queue_alert(session, alert, area_ids, msg_type)
    return alert


def _differs(old, new, name: str) -> bool:
    if name in ("areas", "services"):
        return sorted(set(old)) != sorted(set(new))
    return old != new


def msg_type(alert: Alert) -> str:
    """The CAP msgType of the alert's current version."""
    return alert.revisions[-1]["msg_type"]


def current_alerts(session: Session, now: dt.datetime) -> list[Alert]:
    """Published alerts that have not ended: live ones, then upcoming, by start."""
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.status == "published", Alert.ends_at > now)
            .order_by(Alert.starts_at, Alert.id)
        )
    )


def alerts_at(session: Session, now: dt.datetime, lon: float, lat: float) -> list[Alert]:
    """The current alerts whose areas or polygon contain the point."""
    city = city_shapes(session)
    return [a for a in current_alerts(session, now) if covers(a, lon, lat, city)]


_ALERTS = Alert.__table__
# Is any alert live? Asked on every report filed, and most are filed when none is: a
# constant Core statement, whose cache key and compiled form are made once (building
# the ORM select of whole alerts cost a quarter of a filing's CPU in the profile).
ANY_LIVE = (
    select(_ALERTS.c.id)
    .where(
        _ALERTS.c.status == "published",
        _ALERTS.c.ends_at > utcnow(),
        _ALERTS.c.starts_at <= utcnow(),
    )
    .limit(1)
)


def explaining(session: Session, lon: float, lat: float, service_code: str) -> Alert | None:
    """The live alert (started, not ended, by the database clock) that explains a report
    of this service at this point, if any: the one ending last. One small indexed query
    on every report filed (two when an alert is live); the shapes are only looked at
    when an alert is live."""
    if session.execute(ANY_LIVE).first() is None:
        return None
    live = session.scalars(
        select(Alert).where(
            Alert.status == "published", Alert.ends_at > utcnow(), Alert.starts_at <= utcnow()
        )
    ).all()
    live = [a for a in live if service_code in a.service_codes]
    if not live:
        return None
    city = city_shapes(session)
    found = [a for a in live if covers(a, lon, lat, city)]
    return max(found, key=lambda a: a.ends_at) if found else None
