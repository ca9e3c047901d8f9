"""The console's page for a refused field (a NUL in a form or query: 422), in a real
browser in French and Arabic: a heading, the message naming the field, the way back,
right to left in Arabic, and axe-core's rules clean. Screenshots in the test's folder."""

from __future__ import annotations

from tests.browser import axe_violations
from tests.console.conftest import PASSWORD, console_staff  # noqa: F401 - fixture
from tests.console.test_console_browser import (  # noqa: F401 - fixtures
    AXE_RULES,
    chromium,
    open_page,
    shoot,
    site,
)


def _sign_in(page, url) -> None:
    page.goto(f"{url}/console/login")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{url}/console/")


def test_the_refusal_page_names_the_field_in_french_and_arabic(site, open_page, tmp_path):  # noqa: F811
    for lang, words in (("fr", "Rien n'a été modifié"), ("ar", "لم يتغير أي شيء")):
        page = open_page(lang, bypass_csp=True)
        _sign_in(page, site)
        response = page.goto(f"{site}/console/?q=%00&status=open")
        assert response.status == 422
        body = page.locator("main").inner_text()
        assert words in body and "q" in body
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == lang
        if lang == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        # The page has no form controls, so axe's `label` rule has nothing to check.
        assert page.locator("input:not([type=hidden]), select, textarea").count() == 0
        assert axe_violations(page, [r for r in AXE_RULES if r != "label"]) == []
        shoot(page, tmp_path, f"console-422-{lang}.png")
        print(tmp_path / f"console-422-{lang}.png")
