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
        _named(report.service_type, lang),
        _area(report.area, lang),
        _named(report.department, lang),
        [
            photo_view(p, current_app.config["PUBLIC_BASE_URL"])
            for p in public_photos(report.photos)
        ],
    )


def public_row(row, lang: str, catalogue, photos: list) -> dict:
    """The same as public_view, for a row (or a report) carrying the columns of
    `reading.PUBLIC_COLUMNS`, with its photos (rows of `reading.photos_of`). The names
    are taken from the catalogue copy, built once per language for its lifetime (a
    page's rows share them)."""
    names = catalogue.memo.get(("public names", lang))
    if names is None:
        names = catalogue.memo[("public names", lang)] = (
            {i: _named(s, lang) for i, s in catalogue.services.items()},
            {i: _area(a, lang) for i, a in catalogue.areas.items()},
            {i: _named(d, lang) for i, d in catalogue.departments.items()},
        )
    services, areas, departments = names
    base = current_app.config["PUBLIC_BASE_URL"]
    return _view(
        row,
        services[row.service_type_id],
        areas[row.area_id],
        departments[row.department_id],
        [photo_view(p, base) for p in public_photos(photos)] if photos else [],
    )


def _named(entry, lang: str) -> dict:
    return {"code": entry.code, "name": entry.name(lang)}


def _area(area, lang: str) -> dict:
    return {"code": area.code, "name": area.name(lang), "prefecture_code": area.prefecture_code}


def _view(report, service: dict, area: dict, department: dict, photos: list) -> dict:
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "service_code": service["code"],
        "service_name": service["name"],
        "lat": report.lat,
        "long": report.long,
        # Numbers and e-mail addresses a resident typed are masked for the public, and a
        # description hidden by moderation is not shown; clerks read the text as written
        # (citizen_api.triage.present).
        "address": mask_contacts(report.address),
        "description": public_description(report),
        "area": area,
        "department": department,
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
