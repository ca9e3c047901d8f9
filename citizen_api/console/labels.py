"""Names of statuses, priorities, event kinds and message states, in the console's
language (marked for Babel's extraction)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "submitted": _l("Submitted"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Duplicate"),
}
PRIORITY = {
    "urgent": _l("Urgent"),
    "high": _l("High"),
    "normal": _l("Normal"),
    "low": _l("Low"),
}
EVENT = {
    "submitted": _l("Report filed"),
    "status": _l("Status changed"),
    "status_changed": _l("Status changed"),
    "assignment": _l("Assignment"),
    "priority": _l("Priority"),
    "public_note": _l("Public note"),
    "internal_note": _l("Internal note"),
    "note": _l("Internal note"),
    "rerouted": _l("Sent to another department"),
    "duplicate_linked": _l("Duplicate linked"),
    "resident_confirmed": _l("Resident confirmed the fix"),
    "resident_reopened": _l("Resident says it is not fixed"),
    "resident_comment": _l("Resident's comment"),
    "supported": _l("Support"),
    "escalated": _l("Past its deadline: in the supervisors' digest"),
    "raised_to_head": _l("Raised to the department head"),
    "moderation_hidden": _l("Hidden from the public"),
    "moderation_restored": _l("Shown to the public again"),
}
MESSAGE_STATE = {
    "pending": _l("waiting to be sent"),
    "sent": _l("sent"),
    "delivered": _l("delivered"),
    "undelivered": _l("undelivered"),
    "failed": _l("failed"),
    "dead": _l("given up"),
    "skipped": _l("not sent"),
}
MESSAGE_KIND = {
    "receipt": _l("receipt"),
    "status": _l("status update"),
    "reply": _l("reply"),
}
CHANNEL = {"sms": _l("SMS"), "whatsapp": _l("WhatsApp")}
SORT = {
    "newest": _l("Newest first"),
    "due": _l("Due soonest"),
    "priority": _l("Priority"),
}

ALERT_KIND = {
    "water_cut": _l("Water cut"),
    "power_cut": _l("Power cut"),
    "road_works": _l("Road works"),
    "flood": _l("Flood"),
    "storm": _l("Storm"),
    "heat": _l("Heat wave"),
    "other": _l("Other"),
}
SEVERITY = {
    "minor": _l("Minor"),
    "moderate": _l("Moderate"),
    "severe": _l("Severe"),
    "extreme": _l("Extreme"),
}
# CAP's msgType of each version, as the history of an alert names it.
ALERT_MESSAGE = {
    "Alert": _l("published"),
    "Update": _l("updated"),
    "Cancel": _l("ended (cancelled)"),
}
ALERT_FIELD = {
    "kind": _l("kind"),
    "severity": _l("severity"),
    "areas": _l("areas"),
    "polygon": _l("drawn zone"),
    "services": _l("services"),
    "starts_at": _l("start"),
    "ends_at": _l("expected end"),
    "headline": _l("headline"),
    "text": _l("text"),
}


def label(table: dict, key: str | None) -> str:
    return str(table.get(key, key or ""))
