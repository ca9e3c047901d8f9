"""Every endpoint that shows a stored report, and a check that each still answers.

A hostile input that was accepted must never make a later answer fail: after each
attack the tests read every stored report back through all of these (public API, its
GeoJSON list, Open311 JSON and XML, the public page in French and Arabic, statistics,
and the clerks' queue, ticket and summary) and expect no 5xx.
"""

from __future__ import annotations

from sqlalchemy import select

from citizen_api.extensions import db
from models import ServiceRequest

V2 = "/open311/v2"


def stored_codes(app) -> list[str]:
    with app.app_context():
        codes = db.session.scalars(select(ServiceRequest.tracking_code)).all()
        db.session.remove()
        return list(codes)


def reads_of(code: str) -> list[tuple[str, bool]]:
    """(URL, signed in as staff?) of every answer that shows the report `code`."""
    return [
        (f"/api/v1/requests/{code}", False),
        (f"/api/v1/requests/{code}?lang=ar", False),
        (f"{V2}/requests/{code}.json", False),
        (f"{V2}/requests/{code}.xml", False),
        (f"/r/{code}", False),
        (f"/r/{code}?lang=ar", False),
        (f"/api/v1/triage/requests/{code}", True),
    ]


LIST_READS = [
    ("/api/v1/requests?limit=200", False),
    ("/api/v1/requests?limit=200&lang=en", False),
    ("/api/v1/requests/nearby?lat=33.5925&long=-7.6191", False),
    (f"{V2}/requests.json", False),
    (f"{V2}/requests.xml", False),
    ("/api/v1/stats", False),
    ("/api/v1/stats.csv", False),
    ("/api/v1/triage/requests?limit=200", True),
    ("/api/v1/triage/summary", True),
]


def unreadable(app, client, staff_headers: dict) -> list[tuple[str, int]]:
    """(URL, status) of every read of a stored report that answered 5xx."""
    failures = []
    urls = list(LIST_READS)
    for code in stored_codes(app):
        urls += reads_of(code)
    for url, signed_in in urls:
        headers = dict(staff_headers) if signed_in else {}
        if url.endswith("requests?limit=200") and not signed_in:
            headers["Accept"] = "application/geo+json"
        response = client.get(url, headers=headers)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    return failures
