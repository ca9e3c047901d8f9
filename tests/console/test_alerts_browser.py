"""Area alerts from the console in real Chromium (Debian's, driven by Playwright), on the
app configured with the Twilio emulator: a supervisor draws a zone on the map, publishes,
updates and ends an alert that the API, the CAP feed and a confirmed subscriber's phone
all see; a badly drawn zone is refused on the form; a clerk gets the 403 page; axe-core
is clean on the alert pages in French and Arabic, and the screenshots are taken."""

from __future__ import annotations

import json
import re
import time

import feedparser
import pytest

from tests.alerts.test_cap_feed import (
    MAARIF_POINT,
    cap_schema,  # noqa: F401 - fixture
)
from tests.browser import axe_violations
from tests.console.test_admin_browser import sign_in
from tests.console.test_console_browser import (  # noqa: F401 - fixtures
    AXE_RULES,
    chromium,
    open_page,
    shoot,
    site,
)
from tests.helpers import square

E164, PHONE = "+212612340077", "0612340077"
WORDS = {
    "fr": {
        "nav": "Alertes",
        "new": "Publier une alerte",
        "publish": "Publier l'alerte",
        "update": "Publier la mise à jour",
        "end": "Terminer cette alerte…",
        "confirm": "Oui, terminer cette alerte",
        "points": "Points de la zone : 4",
        "crossed": "se croise",
    },
    "ar": {
        "nav": "التنبيهات",
        "new": "نشر تنبيه",
        "publish": "نشر التنبيه",
        "update": "نشر التحديث",
        "end": "إنهاء هذا التنبيه…",
        "confirm": "نعم، أنهِ هذا التنبيه",
        "points": "نقاط المنطقة: 4",
        "crossed": "تتقاطع",
    },
}
# Offsets from the map's centre, in pixels: a square, and the same corners as a bow tie.
SQUARE = [(-40, -30), (40, -30), (40, 30), (-40, 30)]
BOW_TIE = [(-40, -30), (40, 30), (40, -30), (-40, 30)]


def subscribe_confirmed(page, base: str, fake) -> None:
    """A resident subscribes to Maârif through the API and confirms with the SMS code."""
    asked = page.request.post(
        f"{base}/api/v1/alert-subscriptions",
        data={"phone": PHONE, "areas": ["maarif"], "lang": "fr"},
    )
    assert asked.status == 202, asked.text()
    code = re.search(r"\b(\d{6})\b", wait_for(fake, E164, 1)[-1].body).group(1)
    confirmed = page.request.post(
        f"{base}/api/v1/alert-subscriptions/confirm", data={"phone": PHONE, "code": code}
    )
    assert confirmed.status == 200, confirmed.text()


def wait_for(fake, e164: str, count: int, seconds: float = 15.0) -> list:
    """The messages the emulator received for this number, once there are `count`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = fake.sent_to(e164)
        if len(sent) >= count:
            return sent
        time.sleep(0.1)
    raise AssertionError(f"{len(fake.sent_to(e164))} message(s) reached the emulator, not {count}")


def draw(page, corners) -> None:
    """Click the drawing map's points (once the areas are drawn on it)."""
    page.locator("#draw path.leaflet-interactive").first.wait_for()
    box = page.locator("#draw").bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2
    for dx, dy in corners:
        page.locator("#draw").click(position={"x": cx + dx, "y": cy + dy})


def fill_alert(page, lang: str, corners=SQUARE) -> None:
    page.get_by_role("link", name=WORDS[lang]["nav"], exact=True).click()
    page.get_by_role("link", name=WORDS[lang]["new"]).click()
    page.wait_for_url(re.compile(r"/console/alerts/new$"))
    page.select_option("#a-kind", "water_cut")
    page.check("#area-maarif")
    page.check("#service-fuite-eau")
    draw(page, corners)
    page.fill("#a-headline-fr", "Coupure d'eau à Maârif")
    page.fill("#a-text-fr", "Travaux sur le réseau.")
    page.fill("#a-headline-ar", "انقطاع الماء بالمعاريف")
    page.fill("#a-text-ar", "أشغال على الشبكة.")


def test_a_supervisor_draws_publishes_updates_and_ends_an_alert(
    site,  # noqa: F811
    open_page,  # noqa: F811
    fake,
    tmp_path,
    cap_schema,  # noqa: F811
):
    page = open_page("fr", bypass_csp=True)
    subscribe_confirmed(page, site, fake)
    sign_in(page, site, "salma", "fr")
    fill_alert(page, "fr")
    assert page.locator("#draw-count").inner_text() == WORDS["fr"]["points"]
    drawn = page.input_value("#a-polygon")
    assert '"type":"Polygon"' in drawn
    assert axe_clean(page)
    shoot(page, tmp_path, "console-alert-form-fr.png")
    page.get_by_role("button", name=WORDS["fr"]["publish"]).click()
    page.wait_for_url(re.compile(r"/console/alerts/\d+$"))
    alert_id = int(page.url.rsplit("/", 1)[1])
    assert "L'alerte a été publiée" in page.locator(".flash").inner_text()

    [item] = page.request.get(f"{site}/api/v1/alerts").json()["items"]
    assert item["id"] == alert_id and item["polygon"]["type"] == "Polygon"
    assert len(item["polygon"]["coordinates"][0]) == 5 and "maarif" in item["areas"]
    feed = feedparser.parse(page.request.get(f"{site}/cap/feed.atom").body())
    assert any(f"/cap/alerts/{alert_id}.xml" in link.href for e in feed.entries for link in e.links)
    assert cap_of(page, site, alert_id, cap_schema)["msgType"] == "Alert"
    [sms] = wait_for(fake, E164, 2)[1:]
    assert sms.body.startswith("Alerte : Coupure d'eau à Maârif")
    assert page.problems == [] and page.hosts <= {"127.0.0.1", "localhost"}

    page.fill("#a-headline-fr", "Coupure d'eau prolongée à Maârif")
    page.get_by_role("button", name=WORDS["fr"]["update"]).click()
    page.wait_for_url(re.compile(rf"/console/alerts/{alert_id}$"))
    assert "salma" in page.locator(".history").inner_text()
    assert cap_of(page, site, alert_id, cap_schema)["msgType"] == "Update"
    assert wait_for(fake, E164, 3)[2].body.startswith(
        "Alerte mise à jour : Coupure d'eau prolongée à Maârif"
    )

    page.get_by_role("link", name=WORDS["fr"]["end"]).click()
    assert axe_clean(page, fields=False)
    page.get_by_role("button", name=WORDS["fr"]["confirm"]).click()
    page.wait_for_url(re.compile(r"/console/alerts$"))
    assert cap_of(page, site, alert_id, cap_schema)["msgType"] == "Cancel"
    assert page.request.get(f"{site}/api/v1/alerts").json()["items"] == []
    assert page.locator(f'tr[data-alert="{alert_id}"]').count() == 1  # among the ended
    assert axe_clean(page, fields=False)
    shoot(page, tmp_path, "console-alert-list-fr.png")
    assert wait_for(fake, E164, 4)[3].body.startswith("Fin d'alerte")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_crossed_zone_is_refused_on_the_form(site, open_page, tmp_path, lang):  # noqa: F811
    page = open_page(lang, bypass_csp=True)
    sign_in(page, site, "chef", lang)
    root = page.locator("html")
    fill_alert(page, lang, corners=BOW_TIE)
    page.get_by_role("button", name=WORDS[lang]["publish"]).click()
    error = page.locator("#polygon-error")
    assert WORDS[lang]["crossed"] in error.inner_text()
    assert page.locator("#a-polygon").get_attribute("aria-invalid") == "true"
    assert root.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.request.get(f"{page.url.split('/console')[0]}/api/v1/alerts").json() == {
        "items": []
    }
    # The zone as drawn is back on the map, to be corrected.
    assert page.locator("#draw-count").inner_text() == WORDS[lang]["points"]
    assert axe_clean(page)
    shoot(page, tmp_path, f"console-alert-error-{lang}.png")


def test_the_alert_form_in_arabic(site, open_page, tmp_path):  # noqa: F811
    page = open_page("ar", bypass_csp=True)
    sign_in(page, site, "salma", "ar")
    fill_alert(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_clean(page)
    shoot(page, tmp_path, "console-alert-form-ar.png")
    page.get_by_role("button", name=WORDS["ar"]["publish"]).click()
    page.wait_for_url(re.compile(r"/console/alerts/\d+$"))
    page.get_by_role("link", name=WORDS["ar"]["nav"], exact=True).click()
    assert axe_clean(page, fields=False)
    shoot(page, tmp_path, "console-alert-list-ar.png")


def test_a_clerk_gets_the_403_page(site, open_page):  # noqa: F811
    page = open_page("fr")
    sign_in(page, site, "nadia", "fr")
    assert page.get_by_role("link", name=WORDS["fr"]["nav"], exact=True).count() == 0
    response = page.goto(f"{site}/console/alerts/new")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Accès refusé"


def cap_of(page, site, alert_id, cap_schema) -> dict:  # noqa: F811
    document = page.request.get(f"{site}/cap/alerts/{alert_id}.xml").text()
    cap_schema.validate(document)
    return cap_schema.to_dict(document)


def axe_clean(page, fields: bool = True) -> bool:
    """axe-core's rules pass (`label` has nothing to check on a page without a field)."""
    violations = axe_violations(page, AXE_RULES, absent=() if fields else ("label",))
    assert violations == [], violations
    return True


def test_without_javascript_the_zone_is_pasted_as_geojson(site, chromium, fake):  # noqa: F811
    """No map without JavaScript: the GeoJSON field takes the zone, and the alert is
    published all the same."""
    context = chromium.new_context(
        java_script_enabled=False, locale="fr", extra_http_headers={"Accept-Language": "fr"}
    )
    try:
        page = context.new_page()
        sign_in(page, site, "salma", "fr")
        page.goto(f"{site}/console/alerts/new")
        assert not page.locator("#draw").is_visible()  # the map needs JavaScript
        page.fill("#a-polygon", json.dumps(square(*MAARIF_POINT)))
        page.check("#service-fuite-eau")
        page.fill("#a-headline-fr", "Travaux de voirie")
        page.fill("#a-text-fr", "Boulevard fermé.")
        page.get_by_role("button", name=WORDS["fr"]["publish"]).click()
        page.wait_for_url(re.compile(r"/console/alerts/\d+$"))
        [item] = page.request.get(f"{site}/api/v1/alerts").json()["items"]
        assert item["polygon"] == square(*MAARIF_POINT) and item["areas"] == []
    finally:
        context.close()
