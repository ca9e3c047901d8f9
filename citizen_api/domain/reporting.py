"""Filing a report: validate against the catalogue, route, store, record the first event.

Shared by every way a report comes in (the native API, Open311); free of Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from citizen_api.domain.alerts import explaining
from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.attributes import validate_attributes
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.incidents import link_to_alert
from citizen_api.domain.phones import InvalidPhone, parse_mobile
from citizen_api.domain.report_insert import insert_report
from citizen_api.domain.routing import NoRoute, route
from citizen_api.domain.tracking import new_code
from models import ReporterContact, RequestEvent, ServiceRequest, ServiceType, utcnow
from notifications.outbox import enqueue_receipt


class InvalidReport(Exception):
    """The report cannot be accepted; `errors` says, per field, what to fix."""

    def __init__(self, errors: dict[str, list[str]], detail: str, kind: str = "validation"):
        super().__init__(detail)
        self.errors, self.detail, self.kind = errors, detail, kind


def hash_report_token(token: str) -> str:
    """What is stored of a resident's report token (it is random, so SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_report_token(report: ServiceRequest, token: str | None) -> bool:
    if not token or not report.report_token_hash:
        return False
    return hmac.compare_digest(report.report_token_hash, hash_report_token(token))


def active_service(session: Session, code: str) -> ServiceType | None:
    return session.scalar(
        select(ServiceType).where(ServiceType.code == code, ServiceType.active.is_(True))
    )


def _contact(session: Session, e164: str) -> ReporterContact:
    contact = session.scalar(select(ReporterContact).where(ReporterContact.phone_e164 == e164))
    if contact is None:
        contact = ReporterContact(phone_e164=e164)
        session.add(contact)
    return contact


def file_report(
    session: Session,
    *,
    service_code: str,
    lat: float,
    long: float,
    description: str | None = None,
    address: str | None = None,
    attributes: dict | None = None,
    phone: str | None = None,
    lang: str = "fr",
    channel: str = "api",
    snap_m: float = 0,
    actor: str = "resident",
) -> ServiceRequest:
    """Add a new report to the session (flushed, not committed) or raise InvalidReport.

    The report's secret token is on `report.report_token` for this once only: the
    database keeps its hash. The catalogue (service, attributes, rules) comes from this
    process's copy (citizen_api.domain.catalogue_cache); the report carries only their ids."""
    service = catalogue(session).active_service(service_code)
    if service is None:  # perhaps added since the copy was made: look once more
        service = catalogue(session, reload=True).active_service(service_code)
    if service is None:
        raise InvalidReport(
            {"service_code": [f"Unknown service code {service_code!r}; see GET /api/v1/services."]},
            "The service code is not in the catalogue.",
            "unknown-service",
        )
    clean, errors = validate_attributes(service.attributes, attributes)
    e164 = None
    if phone:
        try:
            e164 = parse_mobile(phone)
        except InvalidPhone as exc:
            errors["phone"] = [str(exc)]
    if errors:
        raise InvalidReport(errors, f"Invalid fields: {', '.join(sorted(errors))}.")
    try:
        decision = route(session, service, long, lat, snap_m)
    except OutsideCity as exc:
        away = f" (about {exc.distance_m / 1000:.1f} km away)" if exc.distance_m else ""
        message = f"This point is outside Casablanca{away}; casa311 only takes reports in the city."
        raise InvalidReport({"lat": [message], "long": [message]}, message, "outside-city") from exc
    except NoRoute as exc:
        raise InvalidReport(
            {"service_code": [f"{service.code} is not handled at this place."]},
            str(exc),
            "service-unavailable-here",
        ) from exc

    # A live alert explains it: still filed, but linked to the alert's incident, due
    # when the alert ends, and the receipt says the problem is known and until when.
    alert = explaining(session, long, lat, service.code)
    token = secrets.token_urlsafe(32)
    values = {
        "tracking_code": new_code(),
        "report_token_hash": hash_report_token(token),
        "service_type_id": service.id,
        "description": description,
        "address": address,
        "attributes": clean,
        "lang": lang,
        "channel": channel,
        "area_id": decision.area.area_id,
        "department_id": decision.rule.department_id,
        "routing_rule_id": decision.rule.id,
        "routing_reason": decision.reason,
        # Stated, not left to column defaults: nothing has to be read back.
        "status": "submitted",
        "priority": "normal",
        "version": 1,
        "supporters_count": 0,
        "verified_supporters": 0,
        "description_hidden": False,
    }
    event = {
        "kind": "submitted",
        "to_status": "submitted",
        "public": True,
        "actor": actor,
        "department_id": decision.rule.department_id,
    }
    due = alert.ends_at if alert is not None else service.sla_hours
    if session.get_bind().dialect.name == "postgresql":
        # One statement for the report, its event, statistics and receipt.
        report = insert_report(session, values, event, e164, (lat, long, due), alert)
    else:
        report = _add_report(session, values, event, e164, (lat, long, due), alert)
    if alert is not None:
        link_to_alert(session, report, alert)
    report.known_alert = alert
    report.report_token = token
    return report


def _add_report(session, values, event, e164, where, alert) -> ServiceRequest:
    """The ORM's way (SQLite): the unit of work writes the report and its event, the
    statistics follow its flush (models.stats), then the receipt."""
    lat, long, due = where
    report = ServiceRequest(
        **values,
        geom=f"SRID=4326;POINT({long!r} {lat!r})",
        contact=_contact(session, e164) if e164 else None,
        expected_at=due if isinstance(due, dt.datetime) else utcnow(due),
        resolved_at=None,
        closed_at=None,
    )
    report.events.append(RequestEvent(**event))
    session.add(report)
    session.flush()
    enqueue_receipt(session, report, alert)  # in this same transaction
    set_committed_value(report, "lat", lat)
    set_committed_value(report, "long", long)
    return report


def submit_report(
    session: Session,
    attempts: int = 3,
    before_commit: Callable[[ServiceRequest], None] | None = None,
    **fields,
) -> ServiceRequest:
    """File and commit a report. A unique clash (a tracking code drawn twice, two first
    reports from one phone at once) is retried from scratch; nothing half-written stays.
    `before_commit(report)` runs inside the report's transaction: what must commit with
    the report (its photos, the idempotency record of its answer) goes there."""
    for attempt in range(1, attempts + 1):
        try:
            report = file_report(session, **fields)
            if before_commit is not None:
                before_commit(report)
            session.commit()
            return report
        except IntegrityError:
            session.rollback()
            if attempt == attempts:
                raise
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")
