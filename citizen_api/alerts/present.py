"""The public representations of an alert: JSON, and a GeoJSON Feature."""

from __future__ import annotations

import datetime as dt

import shapely
from shapely.geometry import mapping, shape

from citizen_api.domain.alert_areas import CityShapes
from citizen_api.domain.alerts import msg_type
from models import Alert


def alert_view(alert: Alert, now: dt.datetime, base_url: str) -> dict:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "msg_type": msg_type(alert),
        "live": alert.status == "published" and alert.starts_at <= now < alert.ends_at,
        "version": alert.version,
        "areas": alert.area_codes,
        "covered_areas": alert.covered_areas,
        "polygon": alert.polygon,
        "services": alert.service_codes,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "headline": alert.headline,
        "text": alert.description,
        "cap_url": f"{base_url}/cap/alerts/{alert.id}.xml",
        "updated_at": alert.updated_at,
    }


def alert_feature(alert: Alert, now: dt.datetime, base_url: str, city: CityShapes) -> dict:
    """A Feature whose geometry is where the alert applies (areas and drawn polygon)."""
    parts = [city.by_code[c] for c in alert.area_codes if c in city.by_code]
    if alert.polygon:
        parts.append(shape(alert.polygon))
    geometry = shapely.union_all(parts).simplify(0.0002, preserve_topology=True)
    return {
        "type": "Feature",
        "id": alert.id,
        "geometry": mapping(geometry),
        "properties": alert_view(alert, now, base_url),
    }


def etag(alert: Alert) -> str:
    return f'"alert-{alert.id}.{alert.version}"'
