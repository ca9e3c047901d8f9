"""/cap: each alert as a CAP 1.2 document, and the Atom index aggregators poll."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app
from sqlalchemy import or_, select

from citizen_api.alerts.queries import find_alert
from citizen_api.cap.render import (
    ATOM_MIMETYPE,
    CAP_MIMETYPE,
    Publisher,
    atom_feed,
    cap_document,
)
from citizen_api.domain.alert_areas import cap_polygons, city_shapes
from citizen_api.extensions import db
from models import Alert, Area, utcnow

# Cancelled or ended alerts stay in the feed this long, so aggregators see the Cancel.
FEED_MEMORY = dt.timedelta(days=7)

blp = Blueprint("cap", __name__, url_prefix="/cap")


def _publisher() -> Publisher:
    config = current_app.config
    return Publisher(config["CAP_SENDER"], config["CAP_SENDER_NAME"], config["PUBLIC_BASE_URL"])


@blp.get("/alerts/<id:alert_id>.xml")
def cap_alert(alert_id: int):
    """One alert's current version as a CAP 1.2 message."""
    alert = find_alert(alert_id)
    now = db.session.scalar(select(utcnow()))
    names = {
        r.code: {"fr": r.name_fr, "ar": r.name_ar, "en": r.name_en or r.name_fr}
        for r in db.session.execute(
            select(Area.code, Area.name_fr, Area.name_ar, Area.name_en).where(
                Area.code.in_(alert.area_codes)
            )
        )
    }
    polygons = cap_polygons(alert, city_shapes(db.session))
    body = cap_document(alert, now, _publisher(), names, polygons)
    return Response(body, mimetype=CAP_MIMETYPE, headers={"Cache-Control": "public, max-age=60"})


@blp.get("/feed.atom")
def cap_feed():
    """The Atom feed of current alerts and those ended or cancelled in the last 7 days."""
    now = db.session.scalar(select(utcnow()))
    alerts = db.session.scalars(
        select(Alert).where(
            or_(Alert.ends_at > now - FEED_MEMORY, Alert.updated_at > now - FEED_MEMORY)
        )
    ).all()
    body = atom_feed(list(alerts), now, _publisher())
    return Response(body, mimetype=ATOM_MIMETYPE, headers={"Cache-Control": "public, max-age=60"})
