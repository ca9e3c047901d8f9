"""The public representation of a report. It never carries the reporter's phone, the
routing internals or anything a clerk wrote for colleagues."""

from __future__ import annotations

from flask import current_app

from citizen_api.photos.album import photo_view
from models import ServiceRequest


def public_view(report: ServiceRequest, lang: str) -> dict:
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "service_code": report.service_type.code,
        "service_name": report.service_type.name(lang),
        "lat": report.lat,
        "long": report.long,
        "address": report.address,
        "description": report.description,
        "area": {
            "code": report.area.code,
            "name": report.area.name(lang),
            "prefecture_code": report.area.prefecture_code,
        },
        "department": {"code": report.department.code, "name": report.department.name(lang)},
        "requested_at": report.requested_at,
        "updated_at": report.updated_at,
        "expected_at": report.expected_at,
        "supporters": report.supporters_count,
        "photos": [photo_view(p, current_app.config["PUBLIC_BASE_URL"]) for p in report.photos],
    }


def feature(report: ServiceRequest, lang: str) -> dict:
    """The report as a GeoJSON Feature (RFC 7946: coordinates are [long, lat])."""
    properties = public_view(report, lang)
    return {
        "type": "Feature",
        "id": report.tracking_code,
        "geometry": {"type": "Point", "coordinates": [report.long, report.lat]},
        "properties": properties,
    }
