"""Moderation in a real browser (Debian's Chromium through Playwright): a clerk hides a
photo and the description from the ticket page, the public page, the API and Open311
stop showing them (the photo's files answer 404), and a supervisor, in Arabic, shows
them again. axe-core checks the ticket page with its moderation forms in fr and ar;
screenshots of both go to the test's folder (CASA311_SCREENSHOTS=docs: to docs/)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser import axe_violations
from tests.console import test_console_browser as browser
from tests.photos import images
from tests.photos.test_photos_api import file_with_photos

# The browser tests' fixtures (Chromium, the served app, fresh pages) and helpers.
chromium, site, open_page = browser.chromium, browser.site, browser.open_page
AXE_RULES, shoot, sign_in = browser.AXE_RULES, browser.shoot, browser.sign_in
SECRET = "Le voisin du 3e, Karim Bennani, jette ses gravats ici"


def at(base: str, url: str) -> str:
    """A public URL (on the configured PUBLIC_BASE_URL) on the test's server at `base`."""
    return base + urlsplit(url).path


def _public(tw, code: str) -> dict:
    """What the public API (one report, the list) and Open311 (JSON, XML) show."""
    one = tw.get(f"/api/v1/requests/{code}")
    listed = tw.get("/api/v1/requests?limit=100")
    o_json = tw.get(f"/open311/v2/requests/{code}.json?extensions=true")
    o_xml = tw.get(f"/open311/v2/requests/{code}.xml?extensions=true")
    return {
        "api": one.json,
        "texts": [r.get_data(as_text=True) for r in (one, listed, o_json, o_xml)],
    }


def test_a_clerk_hides_a_photo_and_the_description_and_a_supervisor_restores_them(
    site, tw_app, tw, open_page, tmp_path
):
    photos = [(f"p{n}.jpg", images.camera_jpeg((800, 600))) for n in range(2)]
    filed = file_with_photos(tw, *photos, description=SECRET)
    assert filed.status_code == 201, filed.json
    code, hidden_photo = filed.json["tracking_code"], filed.json["photos"][0]
    hidden_key = hidden_photo["url"].rsplit("/", 1)[1]

    clerk = open_page("fr", bypass_csp=True)  # bypass: to inject axe-core's script
    sign_in(clerk, site, "nadia")
    clerk.goto(f"{site}/console/requests/{code}")
    assert axe_violations(clerk, AXE_RULES) == []
    clerk.get_by_label("Pourquoi masquer la photo 1 ?").select_option("personal_data")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Masquer la photo 1 au public").click()
    assert "Masqué au public" in clerk.get_by_role("status").first.inner_text()
    clerk.get_by_label("Pourquoi masquer la description ?").select_option("other")
    clerk.get_by_label("Note sur le masquage de la description (personnel seulement)").fill(
        "Nom d'un voisin"
    )
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Masquer la description au public").click()
    # The clerk still sees both, marked, and the hidden photo loads through the console.
    assert SECRET in clerk.locator("dd.description").inner_text()
    assert clerk.locator(".hidden-mark").count() == 2
    thumb = clerk.locator(".photos li").first.locator("img")
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "/console/requests/" in thumb.get_attribute("src")
    history = clerk.locator("ol.history").inner_text()
    assert "la photo 1 ; motif : Données personnelles" in history
    assert "Autre (précisez dans la note)" in history and "Nom d'un voisin" in history
    assert axe_violations(clerk, AXE_RULES) == []
    shoot(clerk, tmp_path, "console-moderation-fr.png")

    # The public: the page, its photo files, the API and Open311.
    visitor = open_page("fr")
    visitor.goto(f"{site}/r/{code}")
    assert SECRET not in visitor.content()
    assert "Description masquée par la modération." in visitor.content()
    assert visitor.locator("img").count() == 1
    for url in (hidden_photo["url"], hidden_photo["thumbnail_url"]):
        assert visitor.request.get(at(site, url)).status == 404
    seen = _public(tw, code)
    assert seen["api"]["description"] is None and len(seen["api"]["photos"]) == 1
    for text in seen["texts"]:
        assert SECRET not in text and hidden_key not in text and "Nom d'un voisin" not in text

    # A supervisor, in Arabic, shows both again.
    supervisor = open_page("ar", bypass_csp=True)
    sign_in(supervisor, site, "salma", "اسم المستخدم", "كلمة المرور", "تسجيل الدخول")
    supervisor.goto(f"{site}/console/requests/{code}")
    assert supervisor.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(supervisor, AXE_RULES) == []
    shoot(supervisor, tmp_path, "console-moderation-ar.png")
    for button in ("إظهار الوصف للعموم من جديد", "إظهار الصورة 1 للعموم من جديد"):
        with supervisor.expect_navigation():
            supervisor.get_by_role("button", name=button).click()
    assert supervisor.locator(".hidden-mark").count() == 0
    assert supervisor.get_by_role("button", name="إخفاء الوصف عن العموم").is_visible()

    visitor = open_page("fr")  # another visitor (the page may be cached for 60 s)
    visitor.goto(f"{site}/r/{code}")
    assert SECRET in visitor.content() and visitor.locator("img").count() == 2
    assert visitor.request.get(at(site, hidden_photo["url"])).status == 200
    seen = _public(tw, code)
    assert seen["api"]["description"] == SECRET and len(seen["api"]["photos"]) == 2
