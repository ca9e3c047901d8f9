"""Phone numbers and e-mail addresses a resident types into a report are masked in every
public view (API, GeoJSON, nearby, Open311 JSON and XML, the public page), in every
language, whichever way the report came in; clerks still read them in triage
(issue 14, class 11)."""

from __future__ import annotations

import re

import pytest

from citizen_api.domain.text_safety import mask_contacts
from tests.helpers import DOWNTOWN
from tests.open311.conftest import issue

DESCRIPTION = "Appelez-moi au 06 61 23 45 67 ou fatima@example.ma"
ADDRESS = "tel 0522-334455"
# What must never appear in a public answer (the number in any spelling, the mailbox).
SECRETS = ["61 23 45", "0661234567", "661234567", "fatima", "example.ma", "334455", "0522"]
V2 = "/open311/v2"


@pytest.mark.parametrize(
    "phone",
    [
        "06 61 23 45 67",
        "0661234567",
        "06.61.23.45.67",
        "06-61-23-45-67",
        "+212 6 61 23 45 67",
        "+212661234567",
        "00212 661 234 567",
        "+212 (0)6 61 23 45 67",
        "(0522) 33 44 55",
        "0522-334455",
        "+33 6 12 34 56 78",
        "+1 (415) 555-2671",
    ],
)
def test_every_usual_spelling_of_a_phone_number_is_masked(phone):
    masked = mask_contacts(f"Appelez le {phone} svp")
    assert masked.startswith("Appelez le ") and masked.endswith(" svp")
    assert len(re.findall(r"\d", masked)) == 0, masked


@pytest.mark.parametrize(
    "text",
    [
        "Trou de 30 cm au n° 25, rue 12",
        "Depuis le 2026-06-09, et le 12/05/2026",
        "Lampadaire 4512 éteint",
        "حفرة كبيرة أمام المدرسة رقم 12",
    ],
)
def test_ordinary_text_and_numbers_are_left_alone(text):
    assert mask_contacts(text) == text


@pytest.mark.parametrize("mail", ["fatima@example.ma", "f.el-amrani+casa@mail.co.ma"])
def test_an_email_address_is_masked(mail):
    assert "@" in mask_contacts(f"écrivez à {mail}") and mail not in mask_contacts(mail)


def _file(client, way: str) -> str:
    fields = {"service_code": "nid-de-poule", "description": DESCRIPTION, "address": ADDRESS}
    if way == "json":
        response = client.post("/api/v1/requests", json={**fields, **DOWNTOWN})
        assert response.status_code == 201, response.json
        assert not any(s in response.get_data(as_text=True) for s in SECRETS)
        return response.json["tracking_code"]
    form = {**fields, "lat": str(DOWNTOWN["lat"]), "long": str(DOWNTOWN["long"])}
    if way == "multipart":
        response = client.post("/api/v1/requests", data=form, content_type="multipart/form-data")
        assert response.status_code == 201, response.json
        return response.json["tracking_code"]
    form["address_string"] = form.pop("address")  # GeoReport v2's name for it
    response = client.post(
        f"{V2}/requests.json", data={**form, "api_key": issue(client.application)}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json[0]["service_request_id"]


@pytest.mark.parametrize("way", ["json", "multipart", "open311"])
def test_public_views_mask_contacts_and_triage_shows_them(client, hostile_staff, way):
    code = _file(client, way)
    public = (
        [f"/api/v1/requests/{code}?lang={lang}" for lang in ("fr", "ar", "en")]
        + [
            "/api/v1/requests",
            "/api/v1/requests/nearby?service_code=nid-de-poule&lat=33.5925&long=-7.6191",
            f"{V2}/requests/{code}.json",
            f"{V2}/requests/{code}.xml",
            f"{V2}/requests.json?service_request_id={code}",
            f"{V2}/requests.xml?service_request_id={code}&extensions=true",
            "/api/v1/stats",
            "/api/v1/stats.csv",
        ]
        + [f"/r/{code}?lang={lang}" for lang in ("fr", "ar", "en")]
    )
    for url in public:
        for accept in ("application/json", "application/geo+json"):
            response = client.get(url, headers={"Accept": accept})
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            leaked = [s for s in SECRETS if s in body]
            assert not leaked, (url, leaked)
            if "stats" not in url:
                assert "Appelez-moi au" in body, url
    ticket = client.get(f"/api/v1/triage/requests/{code}", headers=hostile_staff["r-clerk"])
    assert (ticket.json["description"], ticket.json["address"]) == (DESCRIPTION, ADDRESS)
    queue = client.get("/api/v1/triage/requests", headers=hostile_staff["r-clerk"]).json
    assert DESCRIPTION in [item["description"] for item in queue["items"]]


def test_a_clerks_public_note_with_a_phone_number_is_masked_in_public_views(client, hostile_staff):
    code = _file(client, "json")
    clerk = hostile_staff["r-clerk"]
    ticket = client.get(f"/api/v1/triage/requests/{code}", headers=clerk)
    note = "Rappelez le service au 0522-334455 ou fatima@example.ma"
    moved = client.patch(
        f"/api/v1/triage/requests/{code}",
        json={"status": "acknowledged", "public_note": note},
        headers={**clerk, "If-Match": ticket.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.json
    public = [
        *(f"/api/v1/requests/{code}?lang={lang}" for lang in ("fr", "ar", "en")),
        f"{V2}/requests/{code}.json",
        f"{V2}/requests/{code}.xml",
        f"{V2}/requests.json?service_request_id={code}&extensions=true",
        f"{V2}/requests.xml?service_request_id={code}&extensions=true",
        *(f"/r/{code}?lang={lang}" for lang in ("fr", "ar", "en")),
    ]
    for url in public:
        body = client.get(url).get_data(as_text=True)
        assert "Rappelez le service au" in body, url  # the note is shown...
        leaked = [s for s in SECRETS if s in body]
        assert not leaked, (url, leaked)  # ...without the number or the mailbox
    history = client.get(f"/api/v1/triage/requests/{code}", headers=clerk).json
    assert note in str(history)  # clerks read it as written


def test_text_filed_over_whatsapp_is_masked_in_public_views(app, client, tw, hostile_staff):
    """The WhatsApp intake's description and details: masked in public, whole in triage."""
    from tests.notifications.whatsapp.support import DOWNTOWN as PIN
    from tests.notifications.whatsapp.support import Resident, pick_service, reports

    resident = Resident(tw, phone="+212612340001")
    menu = resident.says("Nid de poule énorme. " + DESCRIPTION)
    pick_service(resident, menu, "Nid-de-poule")
    assert "Envoyez une photo" in resident.says(pin=PIN)
    resident.says("0")  # no photo
    resident.says(ADDRESS)  # the details, with a landline in them
    assert resident.says("oui") == ""
    (report,) = [r for r in reports(app) if r.channel == "whatsapp"]
    code = report.tracking_code
    assert "0661234567" in report.description.replace(" ", "")  # stored as written
    for url in (
        f"/api/v1/requests/{code}",
        f"/api/v1/requests/{code}?lang=ar",
        f"{V2}/requests/{code}.json",
        f"{V2}/requests/{code}.xml",
        f"/r/{code}",
        f"/r/{code}?lang=ar",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Nid de poule énorme" in body, url
        leaked = [s for s in SECRETS if s in body]
        assert not leaked, (url, leaked)
    ticket = client.get(f"/api/v1/triage/requests/{code}", headers=hostile_staff["r-clerk"])
    assert DESCRIPTION in ticket.json["description"]
