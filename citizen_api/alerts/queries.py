"""The alerts resource's shared lookups: one alert or 404 (the API and the CAP view)."""

from __future__ import annotations

from citizen_api.extensions import db
from citizen_api.web.errors import Problem
from models import Alert


def find_alert(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise Problem(404, f"No alert has the id {alert_id}.", type="not-found")
    return alert
