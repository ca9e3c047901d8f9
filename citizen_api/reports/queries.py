"""The report resource's shared queries: the list's filters, and the one fetch-or-404 of
a report by its tracking code (with its report token when the caller must prove they
filed it). Views of this package and of others (triage, photos) use these; no package
imports another's views.

The report token: `Authorization: Bearer <token>`, `X-Report-Token: <token>`, or (in a
multipart form) a `report_token` field. A code that names no report answers 404 before
any token is looked at (nothing exists to prove authorship of); then no token is 401
`report-token-required` (realm "casa311 report"), a wrong one 403 `report-token-invalid`.
"""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from citizen_api.domain.catalogue_cache import ids_for
from citizen_api.domain.reporting import check_report_token
from citizen_api.domain.tracking import normalize
from citizen_api.extensions import db
from citizen_api.web.errors import Problem, validation_problem
from models import ServiceRequest
from models.spatial import in_envelope, within_radius

REPORT_TOKEN_REALM = "casa311 report"
# The OpenAPI security schemes of the report token (registered in citizen_api.api).
REPORT_TOKEN_SCHEME = "reportToken"
REPORT_TOKEN_HEADER_SCHEME = "reportTokenHeader"
REPORT_TOKEN_SECURITY = [{REPORT_TOKEN_SCHEME: []}, {REPORT_TOKEN_HEADER_SCHEME: []}]


def not_found(code: str) -> Problem:
    return Problem(404, f"No report has the tracking code {code!r}.", type="not-found")


def report_token() -> str | None:
    """The report token the request carries, wherever it was put; None without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    token = request.headers.get("X-Report-Token", "").strip()
    if not token and request.mimetype == "multipart/form-data":
        token = request.form.get("report_token", "").strip()
    return token or None


def find_report(code: str) -> ServiceRequest | None:
    """The report with this tracking code (in any usual spelling), or None."""
    canonical = normalize(code)
    if not canonical:
        return None
    return db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical)
    )


def get_report(code: str, *, check_token: bool = False) -> ServiceRequest:
    """The report with this tracking code, or 404; with `check_token`, only for a caller
    who sends its report token (401 without one, 403 with another)."""
    report = find_report(code)
    if not report:
        raise not_found(code)
    if check_token:
        token = report_token()
        if token is None:
            raise Problem(
                401,
                "Send the report_token you received when filing the report, as "
                "Authorization: Bearer <token> or X-Report-Token.",
                type="report-token-required",
                headers={"WWW-Authenticate": f'Bearer realm="{REPORT_TOKEN_REALM}"'},
            )
        if not check_report_token(report, token):
            raise Problem(
                403,
                "This token is not the one issued for this report.",
                type="report-token-invalid",
            )
    return report


def catalogue_ids(field: str, codes: list[str]) -> list[int]:
    """The ids of the catalogue entries with these codes (422 naming any unknown one)."""
    ids, unknown = ids_for(db.session, field, codes)
    if unknown:
        raise validation_problem({field: [f"Unknown {field}: {', '.join(unknown)}."]})
    return ids


def report_filters(args):
    """SQL conditions on ServiceRequest for the list's filters (resident list, queue)."""
    sr = ServiceRequest
    if "status" in args:
        yield sr.status.in_(args["status"])
    for field, column in (
        ("service_code", sr.service_type_id),
        ("area", sr.area_id),
        ("department", sr.department_id),
    ):
        if field in args:
            yield column.in_(catalogue_ids(field, args[field]))
    dialect = db.engine.dialect.name
    if "bbox" in args:
        yield in_envelope(dialect, sr.geom, sr.id, args["bbox"])
    if "radius" in args:
        lon, lat, radius = args["long"], args["lat"], args["radius"]
        yield within_radius(dialect, sr.geom, sr.id, lon, lat, radius)
    if "created_after" in args:
        yield sr.requested_at >= args["created_after"]
    if "created_before" in args:
        yield sr.requested_at < args["created_before"]
    if "updated_after" in args:
        yield sr.updated_at > args["updated_after"]
