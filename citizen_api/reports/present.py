"""The public representation of a report. It never carries the reporter's phone, the
routing internals or anything a clerk wrote for colleagues.

Two ways in, one output: `public_view` for a loaded ServiceRequest (names from its
relationships), `public_row` for the lean rows of `citizen_api.reports.reading` (names
from this process's catalogue copy). Tests check they agree.
"""

from __future__ import annotations

from flask import current_app

from citizen_api.domain.moderation import public_description, public_photos
from citizen_api.domain.text_safety import mask_contacts
from citizen_api.photos.album import photo_view
from models import ServiceRequest


def public_view(report: ServiceRequest, lang: str) -> dict:
    return _view(
        report,
        report.service_type,
        report.area,
        report.department,
        [
            photo_view(p, current_app.config["PUBLIC_BASE_URL"])
            for p in public_photos(report.photos)
        ],
        lang,
    )


def public_row(row, lang: str, catalogue, photos: list) -> dict:
    """The same as public_view, for a row (or a report) carrying the columns of
    `reading.PUBLIC_COLUMNS`, with its photos (rows of `reading.photos_of`)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return _view(
        row,
        catalogue.services[row.service_type_id],
        catalogue.areas[row.area_id],
        catalogue.departments[row.department_id],
        [photo_view(p, base) for p in public_photos(photos)],
        lang,
    )


def _view(report, service, area, department, photos: list, lang: str) -> dict:
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "service_code": service.code,
        "service_name": service.name(lang),
        "lat": report.lat,
        "long": report.long,
        # Numbers and e-mail addresses a resident typed are masked for the public, and a
        # description hidden by moderation is not shown; clerks read the text as written
        # (citizen_api.triage.present).
        "address": mask_contacts(report.address),
        "description": public_description(report),
        "area": {
            "code": area.code,
            "name": area.name(lang),
            "prefecture_code": area.prefecture_code,
        },
        "department": {"code": department.code, "name": department.name(lang)},
        "requested_at": report.requested_at,
        "updated_at": report.updated_at,
        "expected_at": report.expected_at,
        "supporters": report.supporters_count,
        "photos": photos,
    }


def feature_of(report, properties: dict) -> dict:
    return {
        "type": "Feature",
        "id": report.tracking_code,
        "geometry": {"type": "Point", "coordinates": [report.long, report.lat]},
        "properties": properties,
    }
