"""If-Match on every edit of a versioned thing (a ticket, an alert, an incident): without
it 428, with `*` 428, with an older ETag 412, so two people never overwrite each other."""

from __future__ import annotations

from flask import request

from citizen_api.web.errors import Problem


def changed_since(what: str) -> Problem:
    return Problem(
        412,
        f"The {what} changed since you read it; reload it and apply your change again.",
        type="precondition-failed",
    )


def check_if_match(current_etag: str, what: str) -> None:
    """Refuse the request unless If-Match names `current_etag` (a quoted strong ETag)."""
    if not request.headers.get("If-Match"):
        raise Problem(
            428,
            f"Send If-Match with the ETag from your last read of this {what}, so two "
            "people never overwrite each other.",
            type="precondition-required",
        )
    if request.if_match.star_tag:
        raise Problem(
            428,
            f"If-Match: * is not accepted here; send the {what}'s ETag.",
            type="precondition-required",
        )
    if not request.if_match.contains(current_etag.strip('"')):
        raise changed_since(what)
