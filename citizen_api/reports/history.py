"""A report's history as residents see it: public events only, signed by the department,
never by a clerk, and never an internal note."""

from __future__ import annotations

from citizen_api.domain.text_safety import mask_contacts
from models import ServiceRequest


def public_history(report: ServiceRequest, lang: str) -> dict:
    original = report.duplicate_of
    return history_of(
        report.events,
        report.department,
        lambda event: event.department,
        original.tracking_code if original else None,
        lang,
    )


def public_history_rows(events, department_id: int, duplicate_of: str | None, lang, catalogue):
    """The same as public_history, from event rows (kind, to_status, public, note,
    department_id, created_at) and this process's catalogue copy."""
    departments = catalogue.departments
    return history_of(
        events,
        departments[department_id],
        lambda event: departments[event.department_id] if event.department_id else None,
        duplicate_of,
        lang,
    )


def history_of(events, report_department, department_of, duplicate_of, lang: str) -> dict:
    status = None
    history = []
    for event in events:
        status = event.to_status or status
        if not event.public:
            continue
        department = department_of(event) or report_department
        history.append(
            {
                "event": event.kind,
                "status": status,
                "note": mask_contacts(event.note),  # a clerk may quote a number: masked
                "department": {"code": department.code, "name": department.name(lang)},
                "at": event.created_at,
            }
        )
    return {"duplicate_of": duplicate_of, "history": history}
