"""/api/v1/alerts: supervisors and admins publish, update and cancel alerts; anyone reads
the live and upcoming ones (all of them, or those covering a point)."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.alerts.present import alert_feature, alert_view, etag
from citizen_api.alerts.queries import find_alert
from citizen_api.alerts.schemas import AlertIn, AlertList, AlertOut, AlertQueryArgs, AlertUpdateIn
from citizen_api.domain.alert_areas import city_shapes
from citizen_api.domain.alerts import (
    AlertClosed,
    AlertInvalid,
    alerts_at,
    current_alerts,
    publish,
    revise,
)
from citizen_api.extensions import db
from citizen_api.web.auth import SECURITY, sign_in_request
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.preconditions import changed_since, check_if_match
from citizen_api.web.resources import links_to_id
from citizen_api.web.responses import json_response
from models import Alert, utcnow

GEOJSON = "application/geo+json"
PUBLISHERS = ("supervisor", "admin")
# Where a new alert is read and changed (OpenAPI links: clients and Schemathesis's
# stateful phase follow them from POST's 201 by the id it returns).
ALERT_ID = "alert_id"
ALERT_OPS = {"GetAlert": "getAlert", "UpdateAlert": "updateAlert"}

blp = Blueprint(
    "alerts",
    __name__,
    url_prefix="/api/v1/alerts",
    description="Area alerts: published by supervisors and admins, read by anyone",
)


@blp.before_request
def publishers_only():
    """Writes need a supervisor's or an admin's token (reads are public)."""
    if request.method in ("POST", "PATCH", "PUT", "DELETE"):
        sign_in_request()
        if g.clerk.role not in PUBLISHERS:
            raise Problem(
                403,
                "Only supervisors and administrators publish or change alerts.",
                type="forbidden",
                title="Not allowed",
            )


def _now():
    return db.session.scalar(select(utcnow()))


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def _answer(alert: Alert, now, status: int = 200):
    headers = {"ETag": etag(alert), "Cache-Control": "no-cache"}
    if status == 201:
        headers["Location"] = f"/api/v1/alerts/{alert.id}"
    return json_response(alert_view(alert, now, _base_url()), status, headers)


@blp.post("")
@blp.arguments(AlertIn)
@blp.response(201, AlertOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Only supervisors and admins publish")
@blp.alt_response(422, description="Invalid alert: `errors` names each field")
@blp.doc(security=SECURITY, responses={"201": {"links": links_to_id(ALERT_ID, ALERT_OPS)}})
def create_alert(data):
    """Publish an alert; its subscribers' messages are queued in the same transaction."""
    now = _now()
    try:
        alert = publish(db.session, g.clerk.username, data, now)
        db.session.commit()
    except AlertInvalid as exc:
        db.session.rollback()
        raise validation_problem(exc.errors) from None
    return _answer(alert, now, 201)


@blp.patch("/<id:alert_id>")
@blp.arguments(AlertUpdateIn(partial=True))
@blp.response(200, AlertOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Only supervisors and admins change alerts")
@blp.alt_response(404, description="No such alert")
@blp.alt_response(409, description="The alert was cancelled: it cannot change any more")
@blp.alt_response(422, description="Invalid change: `errors` names each field")
@blp.alt_response(412, description="The alert changed since your ETag: reload it")
@blp.alt_response(428, description="Send If-Match with the ETag you read")
@blp.doc(security=SECURITY, operationId="updateAlert")
def update_alert(data, alert_id):
    """Update or cancel an alert (a new version: CAP Update or Cancel), with If-Match."""
    alert = find_alert(alert_id)
    check_if_match(etag(alert), "alert")
    now = _now()
    try:
        revise(db.session, alert, data, now, author=g.clerk.username)
        db.session.commit()
    except AlertInvalid as exc:
        db.session.rollback()
        raise validation_problem(exc.errors) from None
    except AlertClosed:
        db.session.rollback()
        raise Problem(
            409, "This alert was cancelled; publish a new one.", type="alert-cancelled"
        ) from None
    except StaleDataError:
        db.session.rollback()
        raise changed_since("alert") from None
    return _answer(alert, now)


@blp.get("")
@blp.arguments(AlertQueryArgs, location="query")
@blp.response(200, AlertList)
@blp.alt_response(422, description="Invalid lat/long")
def list_alerts(args):
    """List live and upcoming alerts; `?lat=&long=` keeps those covering that point.

    Send `Accept: application/geo+json` for a GeoJSON FeatureCollection."""
    now = _now()
    if "lat" in args:
        alerts = alerts_at(db.session, now, args["long"], args["lat"])
    else:
        alerts = current_alerts(db.session, now)
    headers = {"Cache-Control": "public, max-age=30"}
    if request.accept_mimetypes.best_match(["application/json", GEOJSON]) == GEOJSON:
        city = city_shapes(db.session)
        body = {
            "type": "FeatureCollection",
            "features": [alert_feature(a, now, _base_url(), city) for a in alerts],
        }
        return json_response(body, headers=headers, mimetype=GEOJSON)
    return json_response(
        {"items": [alert_view(a, now, _base_url()) for a in alerts]}, headers=headers
    )


@blp.get("/<id:alert_id>")
@blp.response(200, AlertOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, description="No such alert")
@blp.doc(operationId="getAlert")
def get_alert(alert_id):
    """Read one alert (also once it ended or was cancelled)."""
    return _answer(find_alert(alert_id), _now())
