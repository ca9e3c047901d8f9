"""GET /api/v1/requests/nearby and POST /api/v1/requests/{code}/supporters."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from citizen_api.domain.reporting import active_service, check_report_token
from citizen_api.duplicates.nearby import NEARBY_DAYS, add_supporter, nearby_open_reports
from citizen_api.duplicates.schemas import NearbyArgs, NearbyOut, SupporterIn, SupportOut
from citizen_api.extensions import db
from citizen_api.reports.present import public_view
from citizen_api.reports.queries import find_report, get_report
from citizen_api.web.docs import problem_response
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import OPEN_STATUSES

blp = Blueprint(
    "duplicates", __name__, url_prefix="/api/v1/requests", description="Duplicates and support"
)


@blp.get("/nearby")
@blp.arguments(NearbyArgs, location="query", unknown=RAISE)
@blp.response(200, NearbyOut)
@problem_response(blp, 422, "Invalid parameters, or a point outside the city")
def nearby(args):
    """List open reports of this type near the point (last 30 days), nearest first,
    to show before filing a new one."""
    lang = args.get("lang") or negotiate()
    service = active_service(db.session, args["service_code"])
    if service is None:
        raise validation_problem({"service_code": [f"Unknown service {args['service_code']!r}."]})
    radius = service.duplicate_radius_m
    found = nearby_open_reports(db.session, service.id, args["long"], args["lat"], radius)
    items = [{**public_view(r, lang), "distance_m": round(d, 1)} for r, d in found]
    body = {"radius_m": radius, "days": NEARBY_DAYS, "items": items}
    return localize(json_response(body), lang)


@blp.post("/<code>/supporters")
@blp.arguments(SupporterIn)
@blp.response(201, SupportOut)
@blp.alt_response(200, schema=SupportOut, description="This device had already supported it")
@problem_response(blp, 404, "No report has this tracking code")
@problem_response(blp, 409, "The report is closed")
@problem_response(blp, 422, "Invalid fields")
def support(data, code):
    """Say "me too" on an open report (once per device); supporters raise its priority."""
    report = get_report(code)
    if report.status not in OPEN_STATUSES:
        raise Problem(409, "This report is closed; it takes no more support.", type="closed")
    voucher = None
    if "my_report" in data:
        # A body field naming no report is the body's fault (422), not the URL's (404).
        voucher = find_report(data["my_report"])
        if voucher is None:
            raise validation_problem({"my_report": ["No report has this tracking code."]})
        if voucher.id == report.id or not check_report_token(voucher, data["my_report_token"]):
            raise validation_problem(
                {"my_report_token": ["Not the token of a report of yours (other than this one)."]}
            )
    counted, verified = add_supporter(db.session, report, data["device_id"], voucher)
    body = {
        "tracking_code": report.tracking_code,
        "supporters": report.supporters_count,
        "counted": counted,
        "raises_priority": verified,
    }
    return json_response(body, 201 if counted else 200)


def register_duplicates(api) -> None:
    api.register_blueprint(blp)
