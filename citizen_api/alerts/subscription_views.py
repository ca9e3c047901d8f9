"""/api/v1/alert-subscriptions: a resident asks for an area's alerts with their number and
confirms with the code sent to it by SMS. Answers never carry the number."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import select

from citizen_api.alerts.schemas import ConfirmIn, SubscriptionIn, SubscriptionOut
from citizen_api.domain.alert_areas import city_shapes
from citizen_api.domain.alert_subscriptions import (
    CODE_MINUTES,
    NothingPending,
    SubscriptionLocked,
    WrongCode,
    confirm,
    request_subscription,
)
from citizen_api.domain.phones import InvalidPhone, parse_mobile
from citizen_api.extensions import db
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.responses import json_response
from models import Area, utcnow

blp = Blueprint(
    "alert_subscriptions",
    __name__,
    url_prefix="/api/v1/alert-subscriptions",
    description="Residents' subscriptions to area alerts (confirmed by an SMS code)",
)


def _phone(raw: str) -> str:
    try:
        return parse_mobile(raw)
    except InvalidPhone as exc:
        raise validation_problem({"phone": [str(exc)]}) from None


def _locked(exc: SubscriptionLocked) -> Problem:
    return Problem(
        429,
        "Too many wrong codes: this number's subscriptions are locked for a while; "
        "ask for a new code after Retry-After seconds.",
        type="confirmation-locked",
        headers={"Retry-After": str(exc.retry_after)},
    )


def _area_codes(session, area_ids) -> list[str]:
    return sorted(session.scalars(select(Area.code).where(Area.id.in_(area_ids))))


@blp.post("")
@blp.arguments(SubscriptionIn)
@blp.response(202, SubscriptionOut)
@blp.alt_response(422, description="Unknown area or not a mobile number")
@blp.alt_response(429, description="Locked after too many wrong codes")
def subscribe(data):
    """Ask for the alerts of these areas; a six-digit code is sent to the number by SMS."""
    e164 = _phone(data["phone"])
    city = city_shapes(db.session)
    unknown = [c for c in data["areas"] if c not in city.ids]
    if unknown:
        raise validation_problem(
            {
                "areas": [
                    f"Unknown area(s) {', '.join(unknown)}; known: {', '.join(sorted(city.ids))}."
                ]
            }
        )
    now = db.session.scalar(select(utcnow()))
    try:
        rows = request_subscription(
            db.session,
            current_app.config["SECRET_KEY"],
            e164,
            [city.ids[c] for c in data["areas"]],
            data["lang"],
            now,
        )
        db.session.commit()
    except SubscriptionLocked as exc:
        db.session.rollback()
        raise _locked(exc) from None
    status = "active" if all(r.state == "active" for r in rows) else "pending"
    body = {
        "status": status,
        "areas": _area_codes(db.session, [r.area_id for r in rows]),
        "expires_in": CODE_MINUTES * 60 if status == "pending" else None,
    }
    return json_response(body, 202, {"Cache-Control": "no-store"})


@blp.post("/confirm")
@blp.arguments(ConfirmIn)
@blp.response(200, SubscriptionOut)
@blp.alt_response(404, description="Nothing waits for a code for this number")
@blp.alt_response(422, description="Wrong code; `errors.code` says how many tries are left")
@blp.alt_response(429, description="Locked after too many wrong codes")
def confirm_subscription(data):
    """Confirm the subscriptions with the code received by SMS."""
    e164 = _phone(data["phone"])
    now = db.session.scalar(select(utcnow()))
    try:
        rows = confirm(db.session, current_app.config["SECRET_KEY"], e164, data["code"], now)
        db.session.commit()
    except WrongCode as exc:
        db.session.commit()  # the failed try counts
        raise validation_problem(
            {"code": [f"Wrong code; {exc.remaining} tries left before the number is locked."]}
        ) from None
    except SubscriptionLocked as exc:
        db.session.commit()
        raise _locked(exc) from None
    except NothingPending:
        db.session.rollback()
        raise Problem(
            404,
            "No subscription waits for a code for this number (none asked, or the code "
            "expired): ask again.",
            type="not-found",
        ) from None
    body = {"status": "active", "areas": _area_codes(db.session, [r.area_id for r in rows])}
    return json_response(body, headers={"Cache-Control": "no-store"})
