"""POST /api/v1/requests/{code}/feedback: the resident who filed a report confirms the
fix, says it is not fixed, or adds a comment, proving authorship with the secret
report_token received once at creation."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from citizen_api.domain.workflow import FEEDBACK_ACTIONS, resident_feedback
from citizen_api.extensions import db
from citizen_api.reports.history import public_history
from citizen_api.reports.present import public_view
from citizen_api.reports.queries import REPORT_TOKEN_SECURITY, get_report
from citizen_api.reports.schemas import ServiceRequestDetailOut
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import utcnow

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


@blp.post("/<code>/feedback")
@blp.arguments(FeedbackIn)
@blp.response(200, ServiceRequestDetailOut)
@blp.alt_response(404, description="No report has this tracking code")
@blp.alt_response(401, description="No report token sent")
@blp.alt_response(403, description="The token is not this report's")
@blp.alt_response(409, description="The report is not resolved, or too old to reopen")
@blp.doc(security=REPORT_TOKEN_SECURITY)
def give_feedback(data, code):
    """Confirm a resolved report, say it is not fixed, or comment (report token needed)."""
    lang = negotiate()
    report = get_report(code, check_token=True)
    now = db.session.scalar(select(utcnow()))
    resident_feedback(db.session, report, data.get("action"), data.get("comment"), now)
    db.session.commit()  # an IllegalTransition is answered 409 by citizen_api.web.errors
    body = {**public_view(report, lang), **public_history(report, lang)}
    return localize(json_response(body), lang)
