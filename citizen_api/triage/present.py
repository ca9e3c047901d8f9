"""The internal representations of a ticket: for the queue, and in full. Clerks only;
the reporter's phone appears masked, never whole."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for

from citizen_api.domain.phones import mask
from citizen_api.domain.workflow import allowed_transitions, is_overdue
from citizen_api.duplicates import priority_boost
from citizen_api.photos.album import photo_view
from citizen_api.reports.present import public_view
from models import PRIORITIES, ServiceRequest


def queue_item(report: ServiceRequest, lang: str, now: dt.datetime) -> dict:
    return {
        **public_view(report, lang),
        # Clerks read what the resident wrote, contacts included (the public sees them
        # masked): they may need to call back.
        "address": report.address,
        "description": report.description,
        "description_hidden": report.description_hidden,
        "photos": [staff_photo(report, p) for p in report.photos],
        "priority": report.priority,
        "effective_priority": effective_priority(report),
        "assignee": report.assignee.username if report.assignee else None,
        "overdue": is_overdue(report, now),
        "duplicate_of": report.duplicate_of.tracking_code if report.duplicate_of else None,
        "closed_at": report.closed_at,
    }


def staff_photo(report: ServiceRequest, photo) -> dict:
    """A photo for clerks: a hidden one's files come from the triage API (bearer token),
    as the public addresses answer 404."""
    view = {**photo_view(photo, current_app.config["PUBLIC_BASE_URL"]), "id": photo.id}
    if photo.hidden:
        code, base = report.tracking_code, current_app.config["PUBLIC_BASE_URL"]
        for name, thumbnail in (("url", False), ("thumbnail_url", True)):
            path = url_for(
                "triage.ticket_photo", code=code, photo_id=photo.id, thumbnail=int(thumbnail)
            )
            view[name] = base + path
    return {**view, "hidden": photo.hidden}


def effective_priority(report: ServiceRequest) -> str:
    """The clerk-set priority raised one step per supporters threshold (never past urgent)."""
    rank = PRIORITIES.index(report.priority) - priority_boost(report)
    return PRIORITIES[max(0, rank)]


def ticket_view(
    report: ServiceRequest,
    lang: str,
    now: dt.datetime,
    messages: list[dict] = (),
    nearby: list[tuple[ServiceRequest, float]] = (),
) -> dict:
    """The full internal view; `messages` are the report's outbox messages (masked) and
    `nearby` the open reports of the same type close by (possible duplicates)."""
    return {
        **queue_item(report, lang, now),
        "attributes": report.attributes,
        "channel": report.channel,
        "routing_reason": report.routing_reason,
        "reporter_phone": mask(report.contact.phone_e164) if report.contact else None,
        "duplicates": [d.tracking_code for d in report.duplicates],
        "allowed_transitions": allowed_transitions(report, now),
        "events": [
            {
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "public": e.public,
                "note": e.note,
                "actor": e.actor,
                "department": (e.department or report.department).code,
                "at": e.created_at,
                "data": e.data,
            }
            for e in report.events
        ],
        "messages": list(messages),
        "nearby": [
            {
                "tracking_code": other.tracking_code,
                "status": other.status,
                "distance_m": round(distance, 1),
                "requested_at": other.requested_at,
                "supporters": other.supporters_count,
            }
            for other, distance in nearby
        ],
    }


def etag(report: ServiceRequest) -> str:
    """The strong validator of a ticket's current version."""
    return f'"{report.tracking_code}.{report.version}"'
