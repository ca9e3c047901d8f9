"""The staff number fields in real Chromium, in French and Arabic: an administrator sets
an account's number, channel and headship; the user sets their own; a bad number is
refused with the field named. axe-core's rules on both pages; screenshots."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from citizen_api.extensions import db
from models import DepartmentHead, StaffContact
from tests.browser import axe_violations
from tests.console.conftest import new_account
from tests.console.test_admin_browser import SELECTS, sign_in, site  # noqa: F401 - fixture
from tests.console.test_console_browser import (  # noqa: F401 - fixtures
    AXE_RULES,
    chromium,
    open_page,
    shoot,
)
from tests.console.test_staff_contacts import _stored

WORDS = {
    "fr": {
        "phone": "Numéro de mobile pour les escalades (par ex. +212612345678 ; vide : aucun)",
        "channel": "Envoyer les escalades par",
        "head": "Chef de Direction de la voirie",
        "save": "Enregistrer",
        "saved": "Enregistré",
        "mine": "Mon téléphone",
        "refused": "Numéro de mobile : donnez un numéro de mobile",
    },
    "ar": {
        "phone": "رقم الهاتف المحمول للتصعيد",
        "channel": "إرسال التصعيدات عبر",
        "head": "رئيس",
        "save": "حفظ",
        "saved": None,
        "mine": "هاتفي",
        "refused": "رقم الهاتف: أدخل رقم هاتف محمول",
    },
}


@pytest.fixture
def cleanup(app):
    yield
    with app.app_context():
        db.session.execute(delete(DepartmentHead))
        db.session.execute(delete(StaffContact))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_number_fields_in_french_and_arabic(
    app,
    site,  # noqa: F811
    open_page,  # noqa: F811
    tmp_path,
    cleanup,
    lang,
):
    words = WORDS[lang]
    username = new_account(app, "supervisor", "voirie")
    admin = open_page(lang, bypass_csp=True)
    sign_in(admin, site, "chef", lang)
    admin.goto(f"{site}/console/admin/users/{username}")
    admin.get_by_label(words["phone"], exact=False).fill("06 61 23 45 99")
    admin.get_by_label(words["channel"]).select_option("whatsapp")
    admin.get_by_label(words["head"], exact=False).check()
    admin.locator("form:has(#c-phone)").get_by_role("button", name=words["save"]).click()
    admin.wait_for_load_state()
    assert _stored(app, username) == (("+212661234599", "whatsapp"), True)
    assert admin.get_by_label(words["phone"], exact=False).input_value() == "+212661234599"
    assert admin.get_by_label(words["head"], exact=False).is_checked()
    assert axe_violations(admin, SELECTS) == []
    shoot(admin, tmp_path, f"console-account-contact-{lang}.png")

    user = open_page(lang, bypass_csp=True)
    sign_in(user, site, username, lang)
    user.get_by_role("link", name=words["mine"]).click()
    assert user.get_by_label(words["phone"], exact=False).input_value() == "+212661234599"
    user.get_by_label(words["phone"], exact=False).fill("0522 12 34 56")  # a fixed line
    user.get_by_role("button", name=words["save"]).click()
    assert words["refused"] in user.locator("[role=alert]").inner_text()
    assert _stored(app, username)[0] == ("+212661234599", "whatsapp")  # nothing changed
    assert user.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert axe_violations(user, AXE_RULES) == []
    shoot(user, tmp_path, f"console-contact-refused-{lang}.png")
    user.get_by_label(words["phone"], exact=False).fill("+212 661 23 45 98")
    user.get_by_label(words["channel"]).select_option("sms")
    user.get_by_role("button", name=words["save"]).click()
    user.wait_for_load_state()
    assert _stored(app, username)[0] == ("+212661234598", "sms")
    assert axe_violations(user, AXE_RULES) == []
