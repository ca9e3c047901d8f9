"""The supervisors' and admins' screens in real Chromium (Debian's, driven by
Playwright): the dashboard in French and Arabic (right to left, axe-core, screenshots),
the accounts and audit pages under axe-core, a password reset ending the user's open
session, and an export downloaded and read back."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser import axe_violations, served
from tests.console.conftest import PASSWORD, new_account
from tests.console.test_console_browser import (  # noqa: F401 - fixtures
    AXE_RULES,
    DESKTOP,
    chromium,
    open_page,
    shoot,
)
from tests.console.test_dashboard import city  # noqa: F401 - fixture
from tests.triage.helpers import new_ticket

# The dashboard and an account's page have <select>s but no text field: axe checks
# their names with `select-name`, and `label` has nothing there to check.
SELECTS = [*AXE_RULES, "select-name"]
LABELS = {
    "fr": ("Identifiant", "Mot de passe", "Se connecter"),
    "ar": ("اسم المستخدم", "كلمة المرور", "تسجيل الدخول"),
}


@pytest.fixture
def site(app, client, console_staff):
    """The app served locally; reports are cleared after (by `client`)."""
    with served(app) as url:
        yield url


def sign_in(page, site, username, lang="fr", password=PASSWORD):
    user_label, password_label, button = LABELS[lang]
    page.goto(f"{site}/console/login")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_dashboard_in_french_and_arabic(site, city, open_page, tmp_path, lang):  # noqa: F811
    page = open_page(lang, bypass_csp=True)  # to inject axe-core's script
    sign_in(page, site, "chef", lang)
    page.get_by_role("link", name={"fr": "Tableau de bord", "ar": "لوحة القيادة"}[lang]).click()
    page.wait_for_url(f"{site}/console/dashboard")
    root = page.locator("html")
    assert root.get_attribute("lang") == lang
    assert root.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == {"fr": "Tableau de bord", "ar": "لوحة القيادة"}[lang]
    # Both charts are drawn, each with its accessible name, and the map has its 17 areas.
    assert page.locator(".area-map svg path").count() == 17
    assert page.get_by_role("img").count() >= 2
    anfa = page.locator('.area-map path[data-area="anfa"]')
    anfa.hover()
    density = page.locator('tr[data-area="anfa"] td').nth(1).inner_text()
    assert float(density) > 0 and density in anfa.locator("title").text_content()
    box = anfa.bounding_box()
    assert box["width"] > 5 and box["height"] > 5
    # The trend's weeks run in the page's reading direction: the oldest first.
    labels = page.locator(".trend svg text.axis-label[text-anchor='middle']")
    first, last = labels.first.bounding_box(), labels.last.bounding_box()
    assert (first["x"] < last["x"]) == (lang == "fr")
    if lang == "ar":
        title = heading.bounding_box()
        assert title["x"] + title["width"] > DESKTOP["width"] - 40  # hugs the right edge
    assert axe_violations(page, SELECTS, absent=("label",)) == []
    shoot(page, tmp_path, f"console-dashboard-{lang}.png")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_axe_finds_no_violation_on_the_accounts_and_audit_pages(app, site, open_page, lang):  # noqa: F811
    username = new_account(app)
    page = open_page(lang, bypass_csp=True)
    sign_in(page, site, "chef", lang)
    for path, rules, absent in (
        ("/console/admin/users", SELECTS, ()),
        (f"/console/admin/users/{username}", SELECTS, ("label",)),
        ("/console/admin/keys", AXE_RULES, ()),
        ("/console/password", AXE_RULES, ()),
    ):
        page.goto(f"{site}{path}")
        assert page.locator("html").get_attribute("lang") == lang
        assert axe_violations(page, rules, absent) == [], path
    # An action, so the audit page has rows to check.
    page.goto(f"{site}/console/admin/users/{username}")
    page.get_by_role("button", name={"fr": "Désactiver le compte",
                                     "ar": "تعطيل الحساب"}[lang]).click()  # fmt: skip
    page.goto(f"{site}/console/admin/audit")
    assert page.locator("table.audit tbody tr").count() >= 1
    assert axe_violations(page, AXE_RULES) == []


def test_a_password_reset_ends_the_users_open_session(app, site, open_page, tmp_path):  # noqa: F811
    username = new_account(app)
    user = open_page("fr")
    sign_in(user, site, username)
    assert user.url == f"{site}/console/"
    admin = open_page("fr")
    sign_in(admin, site, "chef")
    admin.get_by_role("link", name="Comptes").click()
    admin.get_by_role("link", name=username).click()
    admin.get_by_role("button", name="Réinitialiser le mot de passe").click()
    temporary = admin.get_by_label("Affiché une seule fois").input_value()
    assert len(temporary) == 16
    # The user's next click lands on the sign-in page, saying why.
    user.reload()
    assert "/console/login" in user.url
    assert "Votre compte a changé" in user.content()
    sign_in(user, site, username, password=temporary)
    assert user.url == f"{site}/console/password"
    user.get_by_label("Mot de passe actuel").fill(temporary)
    user.get_by_label("Nouveau mot de passe (au moins 12 caractères)").fill("my own new passphrase")
    user.get_by_label("Nouveau mot de passe, encore").fill("my own new passphrase")
    user.get_by_role("button", name="Changer le mot de passe").click()
    user.wait_for_url(f"{site}/console/")
    admin.goto(f"{site}/console/admin/audit")
    rows = admin.locator("table.audit tbody tr")
    assert "Mot de passe changé par son titulaire" in rows.nth(0).inner_text()
    assert "Mot de passe réinitialisé" in rows.nth(1).inner_text()


def test_an_export_downloaded_from_the_queue_reads_back(site, client, open_page):  # noqa: F811
    codes = {new_ticket(client, description=f"Trou {i}")["tracking_code"] for i in range(3)}
    new_ticket(client, description="-2+3 formule")
    page = open_page("fr")
    sign_in(page, site, "nadia")
    page.get_by_label("Texte dans la description ou l'adresse").fill("Trou")
    page.get_by_role("button", name="Filtrer").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger ces dossiers en CSV").click()
    download = info.value
    assert download.suggested_filename == "casa311-queue.csv"
    with open(download.path(), "rb") as file:
        raw = file.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Code de suivi"
    assert {r[0] for r in rows[1:]} == codes
