"""The alerts resource's shared lookups: one alert or 404 (the API and the CAP view)."""

from __future__ import annotations

from citizen_api.web.resources import find_or_404
from models import Alert


def find_alert(alert_id: int) -> Alert:
    return find_or_404(Alert, alert_id, f"No alert has the id {alert_id}.")
