"""casa311's data in GeoReport v2's words: services, service definitions and requests.

Mapping: `service_request_id` is the tracking code; `status` is `open` or `closed` only,
with casa311's precise status (and the latest public note) in `status_notes`;
`agency_responsible` is the department's name; `expected_datetime` comes from the SLA.
Nothing here carries a reporter's contact details: the model keeps them elsewhere.
"""

from __future__ import annotations

import datetime as dt

from citizen_api.domain.moderation import public_description
from citizen_api.domain.text_safety import mask_contacts
from citizen_api.photos import photo_urls
from models import OPEN_STATUSES, Alert, RequestEvent, ServiceRequest, ServiceType
from models.i18n import pick
from notifications.alert_texts import local_time

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+00:00"  # when this endpoint last changed its behaviour

STATUS_LABELS = {
    "submitted": {"fr": "Reçu", "ar": "تم الاستلام", "en": "Submitted"},
    "acknowledged": {"fr": "Pris en compte", "ar": "تم الاطلاع عليه", "en": "Acknowledged"},
    "in_progress": {"fr": "En cours de traitement", "ar": "قيد المعالجة", "en": "In progress"},
    "resolved": {"fr": "Résolu", "ar": "تمت المعالجة", "en": "Resolved"},
    "closed": {"fr": "Clôturé", "ar": "مغلق", "en": "Closed"},
    "rejected": {"fr": "Rejeté", "ar": "مرفوض", "en": "Rejected"},
    "duplicate": {"fr": "Doublon", "ar": "بلاغ مكرر", "en": "Duplicate"},
}
NOTICE = {
    "fr": "Délai de traitement prévu : {hours} h.",
    "ar": "مدة المعالجة المتوقعة: {hours} ساعة.",
    "en": "Expected to be handled within {hours} hours.",
}
# The service_notice of a request a live alert explains (the receipt says the same).
KNOWN_NOTICE = {
    "fr": "Problème connu : {headline}. Rétablissement prévu le {until}.",
    "ar": "مشكل معروف: {headline}. العودة إلى الوضع الطبيعي متوقعة في {until}.",
    "en": "Known problem: {headline}. Expected to be fixed by {until}.",
}
DATATYPE_HINTS = {
    "string": {"fr": "Texte court", "ar": "نص قصير", "en": "Short text"},
    "text": {"fr": "Texte libre", "ar": "نص حر", "en": "Free text"},
    "number": {
        "fr": "Nombre, ex. 3 ou 2.5",
        "ar": "رقم، مثلا 3 أو 2.5",
        "en": "A number, e.g. 3 or 2.5",
    },
    "datetime": {
        "fr": "Date et heure avec fuseau, ex. 2026-06-09T10:15:00+01:00",
        "ar": "التاريخ والوقت مع المنطقة الزمنية، مثلا 2026-06-09T10:15:00+01:00",
        "en": "A date-time with its timezone, e.g. 2026-06-09T10:15:00+01:00",
    },
    "singlevaluelist": {
        "fr": "Une clé parmi values",
        "ar": "مفتاح واحد من القيم",
        "en": "One key of values",
    },
    "multivaluelist": {
        "fr": "Une ou plusieurs clés parmi values : attribute[code][]=clé",
        "ar": "مفتاح أو أكثر من القيم: attribute[code][]=key",
        "en": "One or more keys of values: attribute[code][]=key",
    },
}


def timestamp(value: dt.datetime | None) -> str | None:
    """ISO 8601 with its timezone, exactly as the native API writes it."""
    return value.astimezone(dt.UTC).isoformat() if value else None


def _in(texts: dict, lang: str) -> str:
    return texts.get(lang) or texts["fr"]


def label(status: str, lang: str) -> str:
    """A status in the reader's language (a status added later shows as its code)."""
    return _in(STATUS_LABELS[status], lang) if status in STATUS_LABELS else status


def discovery(base_url: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service(st: ServiceType, lang: str) -> dict:
    keywords = [k.strip() for k in (st.keywords or "").split(",") if k.strip()]
    return {
        "service_code": st.code,
        "service_name": st.name(lang),
        "description": st.description(lang),
        "metadata": bool(st.attributes),
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": st.group(lang),
    }


def definition(st: ServiceType, lang: str) -> dict:
    return {
        "service_code": st.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": _in(DATATYPE_HINTS[a.datatype], lang),
                "order": a.order,
                "description": a.description(lang),
                "values": [
                    {"key": v["key"], "name": pick(v, "name", lang)} for v in a.values or ()
                ],
            }
            for a in st.attributes
        ],
    }


def notice(st: ServiceType, lang: str) -> str:
    return _in(NOTICE, lang).format(hours=st.sla_hours)


def known_notice(alert: Alert, lang: str) -> str:
    """The notice of a report a live alert explains: which problem, fixed by when
    (Casablanca time, as the receipt says it)."""
    return _in(KNOWN_NOTICE, lang).format(
        headline=_in(alert.headline, lang), until=local_time(alert.ends_at)
    )


def alert_extension(alert: Alert | None, lang: str) -> dict | None:
    """The alert as the native 201 gives it: {id, headline, expected_end}, or None."""
    if alert is None:
        return None
    return {
        "id": alert.id,
        "headline": _in(alert.headline, lang),
        "expected_end": timestamp(alert.ends_at),
    }


def _public(report: ServiceRequest) -> list[RequestEvent]:
    return [e for e in report.events if e.public]


def status_notes(report: ServiceRequest, lang: str) -> str:
    """The precise status, then the latest public note a clerk wrote, if any."""
    notes = [mask_contacts(e.note) for e in _public(report) if e.note]
    text = label(report.status, lang)
    return f"{text}. {notes[-1]}" if notes else text


def service_request(
    report: ServiceRequest, lang: str, extensions: bool = False, base_url: str = ""
) -> dict:
    """One request record; `base_url` makes the photo URLs absolute."""
    photos = photo_urls(report, base_url)
    record = {
        "service_request_id": report.tracking_code,
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(report, lang),
        "service_name": report.service_type.name(lang),
        "service_code": report.service_type.code,
        "description": public_description(report),  # contacts masked, moderation applied
        "agency_responsible": report.department.name(lang),
        "service_notice": notice(report.service_type, lang),
        "requested_datetime": timestamp(report.requested_at),
        "updated_datetime": timestamp(report.updated_at),
        "expected_datetime": timestamp(report.expected_at),
        "address": mask_contacts(report.address),
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.long,
        "media_url": photos[0] if photos else None,
    }
    if extensions:
        record["extended_attributes"] = {
            "channel": report.channel,
            "area": {"code": report.area.code, "name": report.area.name(lang)},
            "detailed_status": report.status,
            # The original this report duplicates (casa311 has no sub-requests: no parent).
            "duplicate": report.duplicate_of.tracking_code if report.duplicate_of else None,
            "parent_service_request_id": None,
            "photos": photos,
        }
        record["notes"] = [
            {
                "datetime": timestamp(e.created_at),
                "type": e.kind,
                "summary": label(e.to_status, lang) if e.to_status else e.kind,
                "description": mask_contacts(e.note),
            }
            for e in _public(report)
        ]
    return record
