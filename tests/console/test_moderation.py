"""Moderation (issue 11, item 6): a clerk hides a report's description or one of its
photos from every public view, with a reason kept in the internal history; only a
supervisor or an admin shows it again. Through the console's forms and the triage API,
each guarded by the ticket's version."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from citizen_api.web.auth import issue_token
from models import Clerk
from tests.console.conftest import csrf_token, post
from tests.console.helpers import events, version
from tests.helpers import stored_report
from tests.photos import images
from tests.photos.test_photos_api import file_with_photos

SECRET = "Mon voisin Karim Bennani au 3e étage"
PUBLIC_READS = (
    "page",
    "api",
    "list",
    "geojson",
    "nearby",
    "open311_json",
    "open311_xml",
    "open311_list",
)


def photo_ticket(client, photos: int = 2, description: str = SECRET) -> dict:
    """A pothole report with `photos` photos; its 201 body."""
    files = [(f"p{n}.jpg", images.camera_jpeg((800, 600))) for n in range(photos)]
    response = file_with_photos(client, *files, description=description)
    assert response.status_code == 201, response.json
    return response.json


def page_of(client, code):
    response = client.get(f"/console/requests/{code}")
    return response, response.get_data(as_text=True)


def form(client, code, **data):
    """Post the ticket page's moderation form with the version the page carries."""
    _, html = page_of(client, code)
    fields = {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "seen": re.search(r'name="seen" value="(\d+)"', html).group(1),
        **data,
    }
    token = csrf_token(client, f"/console/requests/{code}")
    return post(client, f"/console/requests/{code}/moderation", token, **fields)


def photo_ids(app, code) -> list[int]:
    with app.app_context():
        db.session.expire_all()
        return [p.id for p in stored_report(code).photos]


def public_texts(client, code: str) -> dict[str, str]:
    """What each public way of reading the report shows, as text."""
    lat, lon = 33.5925, -7.6191
    page = client.get(f"/r/{code}").get_data(as_text=True)
    one = client.get(f"/api/v1/requests/{code}")
    listing = client.get("/api/v1/requests?limit=100")
    geo = client.get("/api/v1/requests?limit=100", headers={"Accept": "application/geo+json"})
    nearby = client.get(f"/api/v1/requests/nearby?service_code=nid-de-poule&lat={lat}&long={lon}")
    o_json = client.get(f"/open311/v2/requests/{code}.json?extensions=true")
    o_xml = client.get(f"/open311/v2/requests/{code}.xml?extensions=true")
    o_list = client.get("/open311/v2/requests.xml?extensions=true")
    for response in (one, listing, geo, o_json, o_xml, o_list):
        assert response.status_code == 200, (response.request.path, response.status_code)
    ET.fromstring(o_xml.data)  # still well-formed XML
    return {
        "page": page,
        "api": one.get_data(as_text=True),
        "list": listing.get_data(as_text=True),
        "geojson": geo.get_data(as_text=True),
        "nearby": nearby.get_data(as_text=True),
        "open311_json": o_json.get_data(as_text=True),
        "open311_xml": o_xml.get_data(as_text=True),
        "open311_list": o_list.get_data(as_text=True),
    }


def media_status(client, url: str) -> int:
    with client.get(url.removeprefix("http://127.0.0.1:5000")) as response:
        return response.status_code


def bearer(app, username: str) -> dict:
    with app.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == username))
        token = issue_token(clerk)[0]
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def test_a_hidden_description_leaves_every_public_view(app, console, client):
    created = photo_ticket(client, photos=0)
    code = created["tracking_code"]
    assert all(SECRET in text for name, text in public_texts(client, code).items()
               if name != "nearby")  # fmt: skip
    nadia = console("nadia")
    before = version(app, code)

    response = form(nadia, code, target="description", hidden="1", reason="personal_data",
                    note="Nom d'un voisin")  # fmt: skip

    assert response.status_code == 302
    assert version(app, code) > before  # the ticket moved on: older forms are stale
    shown = public_texts(client, code)
    for name in PUBLIC_READS:
        assert SECRET not in shown[name], name
        assert "Karim" not in shown[name], name
    assert client.get(f"/api/v1/requests/{code}").json["description"] is None
    assert "Description masquée par la modération." in shown["page"]
    # The history: one internal event with the reason; nothing of it in public.
    last = events(app, code)[-1]
    assert (last.kind, last.public, last.note) == ("moderation_hidden", False, "Nom d'un voisin")
    assert last.data == {"target": "description", "reason": "personal_data"}
    assert "Nom d'un voisin" not in shown["api"] and "personal_data" not in shown["api"]
    # Clerks still read it, marked as hidden.
    _, html = page_of(nadia, code)
    assert SECRET in html and 'id="description-hidden"' in html
    assert "Données personnelles" in html  # the reason, in the clerk's language


def test_a_hidden_photo_and_its_thumbnail_are_404_to_the_public_only(app, console, client):
    created = photo_ticket(client, photos=2)
    code = created["tracking_code"]
    first, second = created["photos"]
    hidden_id = photo_ids(app, code)[0]
    nadia = console("nadia")

    response = form(nadia, code, target="photo", photo=str(hidden_id), hidden="1",
                    reason="offensive")  # fmt: skip

    assert response.status_code == 302
    assert media_status(client, first["url"]) == 404
    assert media_status(client, first["thumbnail_url"]) == 404
    assert media_status(client, second["url"]) == 200
    shown = public_texts(client, code)
    key = first["url"].rsplit("/", 1)[1].removesuffix(".jpg")
    for name in PUBLIC_READS:
        assert key not in shown[name], name
    assert second["url"].rsplit("/", 1)[1] in shown["open311_json"]
    assert [p["url"] for p in client.get(f"/api/v1/requests/{code}").json["photos"]] == [
        second["url"]
    ]
    # The clerk sees both on the ticket, the hidden one through the console.
    _, html = page_of(nadia, code)
    private = f"/console/requests/{code}/photos/{hidden_id}"
    assert private in html and first["url"].removeprefix("http://127.0.0.1:5000") not in html
    for url in (private, private + "?thumbnail=1"):
        with nadia.get(url) as photo:
            assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
            assert "no-store" in photo.headers["Cache-Control"]
    assert client.get(private).status_code in (302, 401)  # not signed in: no photo
    last = events(app, code)[-1]
    assert last.data == {"target": "photo", "photo": hidden_id, "number": 1, "reason": "offensive"}


def test_only_a_supervisor_shows_it_again(app, console, client):
    code = photo_ticket(client, photos=1)["tracking_code"]
    [photo_id] = photo_ids(app, code)
    nadia, salma = console("nadia"), console("salma")
    form(nadia, code, target="description", hidden="1", reason="unrelated")
    form(nadia, code, target="photo", photo=str(photo_id), hidden="1", reason="unrelated")
    _, html = page_of(nadia, code)
    assert "Seul un superviseur peut le rendre de nouveau visible." in html

    refused = form(nadia, code, target="description", hidden="0")
    assert refused.status_code == 403
    assert client.get(f"/api/v1/requests/{code}").json["description"] is None

    for target, extra in (("description", {}), ("photo", {"photo": str(photo_id)})):
        restored = form(salma, code, target=target, hidden="0", note="Vérifié", **extra)
        assert restored.status_code == 302, restored.get_data(as_text=True)
    public = client.get(f"/api/v1/requests/{code}").json
    assert public["description"] == SECRET and len(public["photos"]) == 1
    assert media_status(client, public["photos"][0]["url"]) == 200
    kinds = [(e.kind, e.actor) for e in events(app, code)[-4:]]
    assert kinds == [
        ("moderation_hidden", "nadia"),
        ("moderation_hidden", "nadia"),
        ("moderation_restored", "salma"),
        ("moderation_restored", "salma"),
    ]


def test_a_stale_or_incomplete_moderation_form_changes_nothing(app, console, client):
    code = photo_ticket(client, photos=0)["tracking_code"]
    nadia, salma = console("nadia"), console("salma")
    _, html = page_of(nadia, code)
    old = re.search(r'name="version" value="(\d+)"', html).group(1)
    token = csrf_token(nadia, f"/console/requests/{code}")
    form(salma, code, target="description", hidden="1", reason="offensive")  # meanwhile

    stale = post(nadia, f"/console/requests/{code}/moderation", token, version=old,
                 target="description", hidden="1", reason="personal_data")  # fmt: skip
    assert stale.status_code == 409
    stale_html = stale.get_data(as_text=True)
    assert 'id="stale"' in stale_html and "salma" in stale_html
    assert [e.data.get("reason") for e in events(app, code) if e.data] == ["offensive"]

    code = photo_ticket(client, photos=0)["tracking_code"]
    no_reason = form(nadia, code, target="description", hidden="1")
    other_no_note = form(nadia, code, target="description", hidden="1", reason="other")
    no_photo = form(nadia, code, target="photo", photo="999999", hidden="1", reason="other",
                    note="x")  # fmt: skip
    assert [r.status_code for r in (no_reason, other_no_note, no_photo)] == [422, 422, 422]
    assert "Choisissez un motif" in no_reason.get_data(as_text=True)
    no_csrf = nadia.post(f"/console/requests/{code}/moderation",
                         data={"version": str(version(app, code)), "target": "description",
                               "hidden": "1", "reason": "offensive"})  # fmt: skip
    assert no_csrf.status_code == 400
    assert client.get(f"/api/v1/requests/{code}").json["description"] == SECRET
    assert len(events(app, code)) == 1  # only its filing


def test_another_departments_clerk_cannot_moderate(app, console, client):
    code = photo_ticket(client, photos=0)["tracking_code"]
    rachid = console("rachid")  # eclairage
    token = csrf_token(rachid, "/console/")
    refused = post(rachid, f"/console/requests/{code}/moderation", token,
                   version=str(version(app, code)), target="description", hidden="1",
                   reason="offensive")  # fmt: skip
    assert refused.status_code == 404
    assert client.get(f"/api/v1/requests/{code}").json["description"] == SECRET


def test_the_triage_api_hides_and_restores_under_if_match(app, console, client):
    created = photo_ticket(client, photos=1)
    code = created["tracking_code"]
    nadia, salma = bearer(app, "nadia"), bearer(app, "salma")
    url = f"/api/v1/triage/requests/{code}/moderation"
    ticket = client.get(f"/api/v1/triage/requests/{code}", headers=nadia)
    etag = ticket.headers["ETag"]
    photo = ticket.json["photos"][0]
    assert photo["hidden"] is False and ticket.json["description_hidden"] is False
    body = {"target": "photo", "photo": photo["id"], "hidden": True, "reason": "personal_data"}

    assert client.post(url, json=body, headers=nadia).status_code == 428
    assert client.post(url, json=body, headers={**nadia, "If-Match": '"x.1"'}).status_code == 412
    no_reason = client.post(url, json={"target": "description", "hidden": True},
                            headers={**nadia, "If-Match": etag})  # fmt: skip
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    done = client.post(url, json=body, headers={**nadia, "If-Match": etag})
    assert done.status_code == 200, done.json
    assert done.headers["ETag"] != etag
    seen = done.json["photos"][0]
    assert seen["hidden"] is True and "/api/v1/triage/" in seen["url"]
    assert done.json["events"][-1]["data"]["reason"] == "personal_data"
    with client.get(seen["thumbnail_url"].removeprefix("http://127.0.0.1:5000"),
                    headers=nadia) as file:  # fmt: skip
        assert file.status_code == 200 and file.mimetype == "image/jpeg"
    assert media_status(client, created["photos"][0]["url"]) == 404
    # The same request again: its ETag is old now, nothing is done twice.
    assert client.post(url, json=body, headers={**nadia, "If-Match": etag}).status_code == 412
    restore = {"target": "photo", "photo": photo["id"], "hidden": False}
    current = done.headers["ETag"]
    refused = client.post(url, json=restore, headers={**nadia, "If-Match": current})
    assert refused.status_code == 403
    back = client.post(url, json=restore, headers={**salma, "If-Match": current})
    assert back.status_code == 200 and back.json["photos"][0]["hidden"] is False
    assert media_status(client, created["photos"][0]["url"]) == 200


@pytest.mark.parametrize("lang, words", [("ar", "الوصف؛ السبب"), ("en", "the description; reason")])
def test_the_history_words_moderation_in_the_clerks_language(app, console, client, lang, words):
    code = photo_ticket(client, photos=0)["tracking_code"]
    nadia = console("nadia")
    form(nadia, code, target="description", hidden="1", reason="offensive")
    post(nadia, "/console/language", csrf_token(nadia, "/console/"), lang=lang)
    _, html = page_of(nadia, code)
    assert words in html
