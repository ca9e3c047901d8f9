"""A report's history as residents see it: public events only, signed by the department,
never by a clerk, and never an internal note."""

from __future__ import annotations

from models import ServiceRequest


def public_history(report: ServiceRequest, lang: str) -> dict:
    status = None
    history = []
    for event in report.events:
        status = event.to_status or status
        if not event.public:
            continue
        department = event.department or report.department
        history.append(
            {
                "event": event.kind,
                "status": status,
                "note": event.note,
                "department": {"code": department.code, "name": department.name(lang)},
                "at": event.created_at,
            }
        )
    original = report.duplicate_of
    return {"duplicate_of": original.tracking_code if original else None, "history": history}
