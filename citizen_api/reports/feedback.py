"""POST /api/v1/requests/{code}/feedback: the resident who filed a report confirms the
fix, says it is not fixed, or adds a comment, proving authorship with the secret
report_token received once at creation."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from citizen_api.domain.reporting import check_report_token
from citizen_api.domain.workflow import FEEDBACK_ACTIONS, IllegalTransition, resident_feedback
from citizen_api.extensions import db
from citizen_api.reports.history import public_history
from citizen_api.reports.present import public_view
from citizen_api.reports.schemas import ServiceRequestDetailOut
from citizen_api.reports.views import find_report
from citizen_api.web.errors import Problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import utcnow

REPORT_TOKEN_SCHEME = "reportToken"
REPORT_TOKEN_HEADER_SCHEME = "reportTokenHeader"

blp = Blueprint(
    "feedback", __name__, url_prefix="/api/v1/requests", description="Residents' feedback"
)


class FeedbackIn(Schema):
    """What the resident says about their report: an action, a comment, or both."""

    action = fields.String(
        validate=validate.OneOf(FEEDBACK_ACTIONS),
        metadata={"description": "confirm: it is fixed (closes it); not_fixed: reopens it"},
    )
    comment = fields.String(validate=validate.Length(1, 2000))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Send an action, a comment, or both.", "_body")


def _report_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-Report-Token") or None


@blp.post("/<code>/feedback")
@blp.arguments(FeedbackIn)
@blp.response(200, ServiceRequestDetailOut)
@blp.alt_response(401, description="No report token sent")
@blp.alt_response(403, description="The token is not this report's")
@blp.alt_response(404, description="No report has this tracking code")
@blp.alt_response(409, description="The report is not resolved, or too old to reopen")
@blp.doc(security=[{REPORT_TOKEN_SCHEME: []}, {REPORT_TOKEN_HEADER_SCHEME: []}])
def give_feedback(data, code):
    """Confirm a resolved report, say it is not fixed, or comment (report token needed)."""
    lang = negotiate()
    token = _report_token()
    if token is None:
        raise Problem(
            401,
            "Send the report_token you received when filing the report, as "
            "Authorization: Bearer <token> or X-Report-Token.",
            type="unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="casa311-report"'},
        )
    report = find_report(code)
    if not check_report_token(report, token):
        raise Problem(403, "This token is not the one issued for this report.", type="forbidden")
    try:
        now = db.session.scalar(select(utcnow()))
        resident_feedback(db.session, report, data.get("action"), data.get("comment"), now)
        db.session.commit()
    except IllegalTransition as exc:
        db.session.rollback()
        raise Problem(**exc.problem()) from None
    body = {**public_view(report, lang), **public_history(report, lang)}
    return localize(json_response(body), lang)
