"""The console's queue filter tells nobody which usernames exist (issue 14, class 9, on
the console way in): a colleague's name, another department's clerk and a name nobody
has get the same answer, word for word."""

from __future__ import annotations

import re

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from tests.console.conftest import sign_in
from tests.robustness.conftest import HOSTILE_PASSWORD


def test_unknown_and_out_of_scope_assignees_answer_alike(app, hostile_staff):
    with app.app_context():
        create_clerk(db.session, "r-light", HOSTILE_PASSWORD, "clerk", "eclairage")
        db.session.commit()
        db.session.remove()
    try:
        browser = app.test_client()
        assert sign_in(browser, "r-clerk", HOSTILE_PASSWORD).status_code == 302

        def answer(name: str):
            response = browser.get(f"/console/?assignee={name}")
            page = response.get_data(as_text=True)
            # The page without its per-request parts (CSRF token, the name echoed back).
            page = re.sub(r'name="csrf_token" value="[^"]+"', "", page).replace(name, "NAME")
            return response.status_code, page

        other_department = answer("r-light")
        assert other_department == answer("r-nobody-has-this")
        assert other_department == answer("r-admin")
        assert other_department[0] < 500
    finally:
        with app.app_context():
            db.session.execute(db.text("DELETE FROM clerks WHERE username = 'r-light'"))
            db.session.commit()
            db.session.remove()
