"""Errors under /console are pages for people, in the console's language."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from citizen_api.console.blueprint import page

# abort(403, OTHER_DEPARTMENT): a supervisor at another department's service or rule.
OTHER_DEPARTMENT = "another department's"


def render_error(status, title, detail, errors, headers) -> Response:
    if status == 400:
        heading = _("The form could not be accepted")
        message = _(
            "It was not sent from this console or your session changed; nothing was "
            "changed. Go back, reload the page and try again."
        )
    elif status == 403 and detail == OTHER_DEPARTMENT:
        heading = _("Not allowed")
        message = _(
            "This belongs to another department: a supervisor edits only their own "
            "department's services and rules. Nothing was changed."
        )
    elif status == 403:
        heading = _("Not allowed")
        message = _("This page is for administrators; nothing was changed.")
    elif status == 404:
        heading = _("Not found")
        message = _("No page or ticket you can see is at this address.")
    elif status == 422:
        # The edge refused a field (a NUL, a broken character, a runaway value) before
        # the page's own checks: name the fields, never echo their value.
        heading = _("The form could not be accepted")
        message = _(
            "These fields hold something that cannot be used (characters that are not "
            "text, or a value too long or out of range): %(fields)s. Nothing was changed; "
            "go back and correct them.",
            fields=", ".join(sorted(errors or {})) or "?",
        )
    elif status == 429:
        heading = _("Too many attempts")
        message = _("Wait a minute before trying again.")
    else:
        heading = _("Something went wrong")
        message = _("Nothing was changed. Try again in a moment.")
    response = page("console/error.html", status, heading=heading, message=message)
    response.headers.update(
        {k: v for k, v in headers.items() if k.lower() in ("allow", "retry-after")}
    )
    return response
