"""The public page as HTML: language, direction, what it shows and what it never shows."""

from __future__ import annotations

import re

import pytest

from tests.page.conftest import CLERK, PHONE, PRIVATE_NOTE, PUBLIC_NOTE


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "service", "status"),
    [
        ("fr-MA,fr;q=0.9", "fr", "ltr", "Nid-de-poule", "En cours de traitement"),
        ("ar-MA,ar;q=0.9,fr;q=0.5", "ar", "rtl", "حفرة في الطريق", "قيد المعالجة"),
        ("en-GB,en;q=0.9", "en", "ltr", "Pothole", "In progress"),
    ],
)
def test_the_page_speaks_the_residents_language(
    client, followed_report, accept, lang, direction, service, status
):
    response = client.get(f"/r/{followed_report}", headers={"Accept-Language": accept})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{service}</h1>" in html
    assert status in html
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]


def test_the_switch_overrides_accept_language(client, followed_report):
    html = client.get(f"/r/{followed_report}?lang=ar", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'dir="rtl"' in html
    assert f'href="/r/{followed_report}?lang=en"' in html


def test_the_page_never_shows_a_phone_a_clerk_or_a_private_note(client, followed_report):
    html = client.get(f"/r/{followed_report}").get_data(as_text=True)
    assert PUBLIC_NOTE in html
    for secret in (PRIVATE_NOTE, CLERK, PHONE, "612345678", "clerk:"):
        assert secret not in html


def test_the_page_loads_nothing_from_elsewhere(client, followed_report):
    response = client.get(f"/r/{followed_report}")
    html = response.get_data(as_text=True)
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses and all(a.startswith(("/", "#")) for a in addresses)
    assert "<script" not in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_every_photo_has_an_alt_text(client, followed_report):
    html = client.get(f"/r/{followed_report}?lang=en").get_data(as_text=True)
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 2
    assert all(re.search(r'alt="Photo \d attached to report ', img) for img in images)


def test_a_typed_code_is_forgiven(client, followed_report):
    assert client.get(f"/r/{followed_report.lower().replace('-', '')}").status_code == 200


@pytest.mark.parametrize(
    ("accept", "text"),
    [("fr", "Aucun signalement ne porte ce code"), ("ar", "لا يوجد بلاغ بهذا الرمز")],
)
def test_an_unknown_code_is_a_page_not_json(client, accept, text):
    response = client.get("/r/ZZZZ-ZZZZ", headers={"Accept-Language": accept})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)


def test_the_stylesheet_is_served_by_the_app(client):
    with client.get("/r/assets/page.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert "url(" not in response.get_data(as_text=True)
