"""The console in a real browser: Debian's headless Chromium driven by Playwright, on the
app configured with the Twilio emulator, in French and Arabic — sign-in, the queue, a
ticket, a status change with a reply template that reaches the resident by SMS, bulk
acknowledgement, a stale form, CSRF, scope, keyboard use, right-to-left layout, and
axe-core's checks. Screenshots go to the test's folder (CASA311_SCREENSHOTS=docs copies
them to docs/ for the README)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from citizen_api.extensions import db
from models import Department, ResponseTemplate, ServiceType
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, axe_violations, require_chromium, served
from tests.console.conftest import PASSWORD
from tests.console.helpers import events, messages, set_times, status
from tests.console.test_ticket import HOSTILE, hostile_ticket
from tests.triage.helpers import new_ticket

DESKTOP = {"width": 1280, "height": 900}
# Where an element's first and last characters are drawn (x of each).
READING_ORDER = """el => {
  const text = el.firstChild, range = document.createRange(), xs = [];
  for (const i of [0, text.length - 1]) {
    range.setStart(text, i); range.setEnd(text, i + 1);
    xs.push(range.getBoundingClientRect().left);
  }
  return xs;
}"""
AXE_RULES = ["label", "button-name", "link-name", "html-has-lang", "color-contrast"]
DOCS = Path(__file__).resolve().parents[2] / "docs"
REPLY_FR = "Une équipe de la voirie passera cette semaine."
REPLY_TITLE = "Équipe envoyée"
E164 = "+212612345678"


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(tw_app, tw, console_staff):
    """The Twilio-configured app served locally; reports and messages cleared after."""
    with served(tw_app) as url:
        yield url


@pytest.fixture
def open_page(chromium):
    """open_page(lang, bypass_csp=False) -> a fresh page (its own cookies) in a browser
    that asks for `lang`; requests to any other host are recorded in page.hosts."""
    contexts = []

    def make(lang: str = "fr", bypass_csp: bool = False):
        context = chromium.new_context(
            viewport=DESKTOP, locale=lang, bypass_csp=bypass_csp,
            extra_http_headers={"Accept-Language": lang},
        )  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.hosts = set()
        page.on("request", lambda r: page.hosts.add(r.url.split("/")[2].split(":")[0]))
        # What the browser refused or failed to run (CSP violations, script errors).
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and "Content Security Policy" in m.text
                and page.problems.append(m.text)
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page, tmp_path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("CASA311_SCREENSHOTS") == "docs":
        shutil.copy(path, DOCS / name)


def sign_in(page, site, username, username_label="Identifiant", password_label="Mot de passe",
            button="Se connecter"):  # fmt: skip
    page.goto(f"{site}/console/")
    assert "/console/login" in page.url
    page.get_by_label(username_label).fill(username)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{site}/console/")


def add_reply(app, title=REPLY_TITLE, text_fr=REPLY_FR, text_ar=None) -> None:
    with app.app_context():
        voirie = db.session.query(Department).filter_by(code="voirie").one()
        pothole = db.session.query(ServiceType).filter_by(code="nid-de-poule").one()
        db.session.add(ResponseTemplate(
            department_id=voirie.id, service_type_id=pothole.id, status="acknowledged",
            title=title, text_fr=text_fr, text_ar=text_ar, created_by="salma",
        ))  # fmt: skip
        db.session.commit()


def sms_to(fake, number, containing, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [m for m in fake.sent_to(number) if containing in m.body]
        if found:
            return found
        time.sleep(0.1)
    return []


def _busy_queue(tw, tw_app, area_points) -> None:
    """A few more potholes across the city, one of them late, for a queue worth a look."""
    for area, text in (("anfa", "Gros trou rempli d'eau"), ("hay-hassani", "Nid-de-poule"),
                       ("ain-chock", "Affaissement de la chaussée")):  # fmt: skip
        lon, lat = area_points[area]
        late = new_ticket(tw, description=text, lat=lat, long=lon)["tracking_code"]
    set_times(tw_app, late, expected_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))


def test_sign_in_filter_open_and_answer_with_a_template_that_reaches_the_resident(
    site, tw_app, tw, fake, open_page, tmp_path, area_points
):
    add_reply(tw_app)
    _busy_queue(tw, tw_app, area_points)
    code = new_ticket(tw, description="Trou profond devant l'école", address="Rue Tata",
                      phone="0612345678")["tracking_code"]  # fmt: skip
    other = new_ticket(tw, description="Chaussée défoncée", lat=33.5731, long=-7.6298)
    page = open_page("fr")
    sign_in(page, site, "nadia")
    assert page.locator("table.queue tbody tr").count() == 5
    assert page.locator("table.queue tbody tr.overdue").count() == 1
    shoot(page, tmp_path, "console-queue-fr.png")
    # Filter the queue: text in the description, then the area.
    page.get_by_label("Texte dans la description ou l'adresse").fill("école")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**q=*")
    assert page.locator("table.queue tbody tr").count() == 1
    page.get_by_label("Arrondissement").select_option(label="Maârif")
    page.get_by_label("Texte dans la description ou l'adresse").fill("")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**area=maarif*")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and other["tracking_code"] in rows.inner_text()
    page.get_by_role("link", name="Effacer les filtres").click()
    # Open the ticket and answer with the template, edited.
    page.get_by_role("link", name=code).click()
    page.wait_for_url(f"**/console/requests/{code}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(code)
    page.get_by_label("Modèle de réponse").select_option(label=f"{REPLY_TITLE} (Pris en compte)")
    note = page.get_by_label("Note publique, envoyée à l'habitant (obligatoire pour rejeter)")
    assert note.input_value() == REPLY_FR  # filled in place by the page's script
    assert page.get_by_label("Nouveau statut").input_value() == "acknowledged"
    note.fill(REPLY_FR + " Merci !")
    # The map: Leaflet, served by the app, drew the point and the area, from nowhere else.
    page.wait_for_selector("#map.leaflet-container path.leaflet-interactive")
    assert page.locator("#map path").count() >= 2
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert page.get_by_role("status").first.inner_text() == "Le dossier est mis à jour."
    assert page.locator("#current-status").inner_text() == "Pris en compte"
    assert status(tw_app, code) == "acknowledged"
    # The resident's SMS went through the real twilio SDK to the emulator.
    [sms] = sms_to(fake, E164, REPLY_FR + " Merci !")
    assert code in sms.body
    page.reload()
    assert "envoyé" in page.locator("td.message-state").last.inner_text()
    shoot(page, tmp_path, "console-ticket-fr.png")
    assert page.hosts == {"127.0.0.1"}
    assert page.problems == []  # the CSP let every script and style of the page run


def test_the_map_view_draws_the_areas_and_the_filtered_tickets(
    site, tw_app, tw, open_page, area_points, tmp_path
):
    _busy_queue(tw, tw_app, area_points)
    page = open_page("fr")
    sign_in(page, site, "nadia")
    page.get_by_role("link", name="Voir ces dossiers sur une carte").click()
    page.wait_for_url("**/console/map*")
    page.wait_for_selector("#overview-count:not(:empty)")
    assert page.locator("#overview-count").inner_text() == "Dossiers sur la carte : 3"
    # 17 area outlines and 3 points, all drawn from this server's own GeoJSON.
    assert page.locator("#overview path.leaflet-interactive").count() == 17 + 3
    shoot(page, tmp_path, "console-map-fr.png")
    page.goto(f"{site}/console/map?area=anfa")
    page.wait_for_selector("#overview-count:not(:empty)")
    assert page.locator("#overview-count").inner_text() == "Dossiers sur la carte : 1"
    assert page.hosts == {"127.0.0.1"}
    assert page.problems == []


def test_bulk_acknowledge_twenty_tickets(site, tw_app, tw, fake, open_page):
    codes = [new_ticket(tw, phone=f"06123456{n:02d}")["tracking_code"] for n in range(20)]
    page = open_page("fr")
    sign_in(page, site, "nadia")
    page.get_by_role("button", name="Tout sélectionner sur cette page").click()
    assert page.locator('input[name="code"]:checked').count() == 20
    page.get_by_label("Action", exact=True).select_option("acknowledge")
    page.get_by_label("Note publique à chaque habitant (facultative)").fill("Bien reçu")
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer aux dossiers sélectionnés").click()
    assert page.get_by_role("heading", name="20 dossiers modifiés").is_visible()
    for code in codes:
        assert [e.to_status for e in events(tw_app, code) if e.kind == "status"] == ["acknowledged"]
        assert len([m for m in messages(tw_app, code) if m.kind == "status"]) == 1
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sent = [m for m in fake.messages if "Bien reçu" in m.body]
        if len(sent) >= 20:
            break
        time.sleep(0.2)
    states = [(m.kind, m.state, m.last_error) for c in codes for m in messages(tw_app, c)]
    assert len(sent) == 20 and len({m.to for m in sent}) == 20, states


def test_a_stale_form_is_refused_and_says_who_changed_it(site, tw_app, tw, open_page):
    code = new_ticket(tw)["tracking_code"]
    nadia, mehdi = open_page("fr"), open_page("fr")
    sign_in(nadia, site, "nadia")
    sign_in(mehdi, site, "mehdi")
    nadia.goto(f"{site}/console/requests/{code}")
    mehdi.goto(f"{site}/console/requests/{code}")
    mehdi.get_by_label("Nouveau statut").select_option("acknowledged")
    with mehdi.expect_navigation():
        mehdi.get_by_role("button", name="Enregistrer", exact=True).click()
    nadia.get_by_label("Nouveau statut").select_option("rejected")
    nadia.get_by_label("Note publique, envoyée à l'habitant (obligatoire pour rejeter)").fill(
        "Hors compétence"
    )
    with nadia.expect_response(f"**/console/requests/{code}/status") as answer:
        nadia.get_by_role("button", name="Enregistrer", exact=True).click()
    assert answer.value.status == 409
    alert = nadia.locator("#stale")
    assert "Rien n'a été modifié" in alert.inner_text() and "mehdi" in alert.inner_text()
    assert status(tw_app, code) == "acknowledged"


def test_a_forged_csrf_token_is_refused(site, tw_app, tw, open_page):
    code = new_ticket(tw)["tracking_code"]
    page = open_page("fr")
    sign_in(page, site, "nadia")
    page.goto(f"{site}/console/requests/{code}")
    page.locator('#status-form input[name="csrf_token"]').evaluate("el => el.value = 'forged'")
    page.get_by_label("Nouveau statut").select_option("acknowledged")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert answer.value.status == 400
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Le formulaire n'a pas pu être accepté"
    )
    assert status(tw_app, code) == "submitted"


def test_html_in_resident_text_stays_inert_in_the_browser(site, tw_app, tw, open_page):
    code = hostile_ticket(tw_app, tw)
    page = open_page("fr")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, site, "nadia")
    page.goto(f"{site}/console/requests/{code}")
    description = page.locator("dd.description")
    assert description.inner_text() == HOSTILE  # shown, character for character
    assert description.locator("script, img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_another_departments_ticket_is_a_404(site, tw, open_page):
    code = new_ticket(tw)["tracking_code"]  # voirie
    page = open_page("fr")
    sign_in(page, site, "rachid")  # eclairage
    response = page.goto(f"{site}/console/requests/{code}")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Introuvable"


def _tab_to(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_sign_in_and_change_a_status_with_the_keyboard_alone(site, tw_app, tw, open_page):
    code = new_ticket(tw)["tracking_code"]
    page = open_page("fr")
    page.goto(f"{site}/console/login")
    assert page.evaluate("document.activeElement.id") == "username"  # focused on arrival
    page.keyboard.type("nadia")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/console/")
    page.keyboard.press("Tab")  # the first stop of every page is the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # From the queue to the ticket, by keyboard.
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == code:
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/requests/{code}")
    _tab_to(page, "s-status")
    page.keyboard.press("ArrowDown")  # "Pris en compte", the first allowed status
    assert page.get_by_label("Nouveau statut").input_value() == "acknowledged"
    _tab_to(page, "s-public")
    page.keyboard.type("Vu au clavier")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Enregistrer":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").first.inner_text() == "Le dossier est mis à jour."
    assert status(tw_app, code) == "acknowledged"
    assert [e.note for e in events(tw_app, code) if e.kind == "status"] == ["Vu au clavier"]


def test_the_arabic_console_reads_right_to_left(site, tw_app, tw, open_page, tmp_path, area_points):
    add_reply(tw_app, text_ar="سيمر فريق الطرق هذا الأسبوع.")
    _busy_queue(tw, tw_app, area_points)
    code = new_ticket(tw, description="حفرة عميقة أمام المدرسة", phone="0612345678",
                      lang="ar")["tracking_code"]  # fmt: skip
    new_ticket(tw, description="Trottoir cassé")
    page = open_page("fr")
    sign_in(page, site, "nadia")
    with page.expect_navigation():
        page.get_by_role("button", name="العربية").click()
    root = page.locator("html")
    assert root.get_attribute("lang") == "ar" and root.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "قائمة البلاغات"
    # Mirrored: the heading and the brand hug the right edge; the first column is on the right.
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["x"] + heading["width"] > DESKTOP["width"] - 40
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > DESKTOP["width"] / 2
    first, last = (page.locator("table.queue thead th").nth(i).bounding_box() for i in (0, 8))
    assert first["x"] > last["x"]
    shoot(page, tmp_path, "console-queue-ar.png")
    page.get_by_role("link", name=code).click()
    page.wait_for_url(f"**/console/requests/{code}")
    page.get_by_label("نموذج الرد").select_option(index=0)
    assert page.get_by_label("ملاحظة عامة تُرسَل إلى المواطن (إلزامية عند الرفض)").input_value() == (
        "سيمر فريق الطرق هذا الأسبوع."
    )  # the resident filed in Arabic: the template's Arabic text
    # The masked phone reads left to right inside the Arabic page: "+" left of the "8".
    first_x, last_x = page.locator("section.facts .ltr.mono").evaluate(READING_ORDER)
    assert first_x < last_x
    facts = page.locator("section.facts").bounding_box()
    act = page.locator("section.act").bounding_box()
    assert facts["x"] > act["x"]  # the report on the right, the actions on its left
    shoot(page, tmp_path, "console-ticket-ar.png")


@pytest.mark.parametrize(
    ("lang", "username_label", "password_label", "button"),
    [
        ("fr", "Identifiant", "Mot de passe", "Se connecter"),
        ("ar", "اسم المستخدم", "كلمة المرور", "تسجيل الدخول"),
    ],
)
def test_axe_finds_no_violation_on_the_login_queue_and_ticket_pages(
    site, tw_app, tw, open_page, lang, username_label, password_label, button
):
    add_reply(tw_app)
    code = new_ticket(tw, description="Trou", phone="0612345678")["tracking_code"]
    page = open_page(lang, bypass_csp=True)  # to inject axe-core's script
    page.goto(f"{site}/console/login")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page, AXE_RULES) == []
    page.get_by_label(username_label).fill("nadia")
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{site}/console/")
    assert axe_violations(page, AXE_RULES) == []
    page.goto(f"{site}/console/?status=lost")  # the queue with a refused filter shown
    assert axe_violations(page, AXE_RULES) == []
    page.goto(f"{site}/console/requests/{code}")
    page.wait_for_selector("#map.leaflet-container")
    assert axe_violations(page, AXE_RULES) == []
