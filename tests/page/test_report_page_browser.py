"""The public page in a real browser: headless Chromium (Debian's), driven by Playwright,
on a small phone screen, in each language — what a person sees and can do."""

from __future__ import annotations

import tempfile
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, contrast, require_chromium, served
from tests.page.conftest import CLERK, PHONE, PRIVATE_NOTE, PUBLIC_NOTE

PHONE_SCREEN = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=PHONE_SCREEN,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        yield context
        context.close()


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 (a free port) while the test runs."""
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page()
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    page.hosts = hosts
    yield page
    page.close()


LANGUAGES = [
    ("fr-MA,fr", "fr", "ltr", "Nid-de-poule", "En cours de traitement", "Suivi"),
    ("ar-MA,ar", "ar", "rtl", "حفرة في الطريق", "قيد المعالجة", "التتبع"),
    ("en-US,en", "en", "ltr", "Pothole", "In progress", "Progress"),
]


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "service", "status", "timeline"), LANGUAGES
)
def test_a_resident_follows_the_report_on_a_phone(
    page, live_server, followed_report, accept, lang, direction, service, status, timeline
):
    page.set_extra_http_headers({"Accept-Language": accept})
    page.goto(f"{live_server}/r/{followed_report}", wait_until="load")

    root = page.locator("html")
    assert root.get_attribute("lang") == lang
    assert root.get_attribute("dir") == direction
    assert page.evaluate("getComputedStyle(document.body).direction") == direction
    # Landmarks a screen reader announces, with the service as the page heading.
    assert page.get_by_role("banner").is_visible()
    assert page.get_by_role("navigation").is_visible()
    assert page.get_by_role("main").is_visible()
    assert page.get_by_role("contentinfo").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == service
    assert status in page.locator(".status").inner_text()
    # The timeline with its public note, and nothing private.
    assert page.get_by_role("heading", name=timeline).is_visible()
    assert page.get_by_text(PUBLIC_NOTE).is_visible()
    text = page.locator("body").inner_text()
    for secret in (PRIVATE_NOTE, CLERK, PHONE, "612345678"):
        assert secret not in text
    # Both photos are shown, loaded from this server, each with an alt text.
    photos = page.get_by_role("img")
    assert photos.count() == 2
    for i in range(2):
        photo = photos.nth(i)
        assert photo.is_visible()
        assert photo.get_attribute("alt")
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    # Readable on a 360 px screen: nothing wider than the screen, text not tiny.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    # Contrast of the body text and of the status badge (WCAG AA needs 4.5).
    body = page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    badge = page.locator(".status").evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert contrast(*body) >= 7 and contrast(*badge) >= 4.5
    # Nothing was fetched from anywhere but this server.
    assert set(page.hosts) == {"127.0.0.1"}


def test_the_language_switch_turns_the_page_to_arabic_and_back(page, live_server, followed_report):
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(f"{live_server}/r/{followed_report}")
    assert page.get_by_role("heading", level=1).inner_text() == "Nid-de-poule"

    page.get_by_role("link", name="العربية").click()
    page.wait_for_url("**lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "حفرة في الطريق"
    # In right-to-left, the page starts on the right: the heading hugs the right edge.
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box["x"] + box["width"] > PHONE_SCREEN["width"] - 40

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == "Pothole"


def test_a_tapped_photo_opens_in_full(page, live_server, followed_report):
    page.goto(f"{live_server}/r/{followed_report}?lang=en")
    page.get_by_role("img").first.click()
    page.wait_for_url("**/media/*.jpg")
    size = page.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
    assert size == [1600, 1200]


def test_a_mistyped_code_shows_a_page_a_person_understands(page, live_server):
    page.set_extra_http_headers({"Accept-Language": "ar"})
    response = page.goto(f"{live_server}/r/ZZZZ-ZZZZ")
    assert response.status == 404
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "البلاغ غير موجود"
