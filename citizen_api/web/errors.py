"""One error envelope: RFC 9457 application/problem+json for every error the app sends.

Werkzeug's own errors (404, 405, 413, 415, 429...) leave in the same shape and keep their
headers (Allow, Retry-After). Nothing about the server's internals (stack traces, SQL)
ever reaches a response. A blueprint may claim its own error shape (Open311 does) by
registering a renderer for its URL prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

import orjson
from flask import Flask, Response, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIMETYPE = "application/problem+json"
TYPE_PREFIX = "urn:casa311:problem:"
log = logging.getLogger(__name__)

# URL prefix -> function(status, title, detail, errors, headers) -> Response
_renderers: dict[str, Callable[..., Response]] = {}


class Problem(HTTPException):
    """An HTTP error with a machine-readable type, a human detail and field errors."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = "about:blank",  # noqa: A002 - the RFC's member name
        title: str | None = None,
        errors: dict | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(description=detail)
        self.code = status
        self.type = type if type.startswith(("about:", "urn:")) else TYPE_PREFIX + type
        self.title = title
        self.errors = errors
        self.extra_headers = headers or {}
        self.extra = extra or {}


def validation_problem(errors: dict, detail: str | None = None) -> Problem:
    """A 422 listing, for each field, what was wrong with it."""
    fields = ", ".join(sorted(errors))
    return Problem(
        422,
        detail or f"The request has invalid fields: {fields}. See `errors` for each.",
        type="validation",
        title="Invalid request",
        errors=errors,
    )


def register_renderer(prefix: str, renderer: Callable[..., Response]) -> None:
    """Let the blueprint under `prefix` render its own errors."""
    _renderers[prefix] = renderer


def problem_response(
    status: int,
    detail: str,
    *,
    type: str = "about:blank",  # noqa: A002
    title: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
) -> Response:
    for prefix, renderer in _renderers.items():
        if request and request.path.startswith(prefix):
            return renderer(status, title, detail, errors, headers or {})
    body = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def _flatten_webargs(messages) -> dict:
    """webargs nests errors by location ({"json": {...}, "query": {...}}) and marshmallow by
    field (a dict's bad keys, a list's items): flatten them into the documented shape,
    field path -> list of messages ("attributes.colour": [...])."""
    if not isinstance(messages, dict):
        return {"_body": _messages(messages)}
    flat: dict = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            _flatten_into(flat, errors, "")
        else:
            flat["_body" if location in ("json", "form") else location] = _messages(errors)
    return flat


def _flatten_into(flat: dict, errors: dict, prefix: str) -> None:
    for name, value in errors.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            # marshmallow reports a mapping's bad key under "key", its bad value under "value"
            inner = {k: v for k, v in value.items() if k not in ("key", "value")}
            own = [m for k in ("key", "value") if k in value for m in _messages(value[k])]
            if own:
                flat.setdefault(path, []).extend(own)
            _flatten_into(flat, inner, f"{path}.")
        else:
            flat.setdefault(path, []).extend(_messages(value))


def _messages(value) -> list[str]:
    """Messages as a flat list of strings, whatever nesting marshmallow used."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def handle_http_exception(error: HTTPException) -> Response:
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if isinstance(error, Problem):
        headers.update(error.extra_headers)
        return problem_response(
            error.code,
            error.description,
            type=error.type,
            title=error.title,
            errors=error.errors,
            headers=headers,
            extra=error.extra,
        )
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    errors = None
    detail = error.description
    if "messages" in data:  # webargs/marshmallow validation
        errors = _flatten_webargs(data["messages"])
        if error.code == 422:
            return handle_http_exception(validation_problem(errors))
        detail = "; ".join(str(m) for msgs in errors.values() for m in _as_list(msgs))
    return problem_response(error.code, detail, errors=errors, headers=headers)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _timed_out(error: Exception) -> bool:
    """The database cancelled the statement (statement_timeout), rather than went away."""
    return type(getattr(error, "orig", None)).__name__ == "QueryCanceled"


def handle_database_unavailable(error: Exception) -> Response:
    if _timed_out(error):
        log.warning("query cancelled by statement_timeout on %s", request.path)
        return handle_http_exception(
            Problem(
                503,
                "The request took too long and was stopped; nothing was changed. "
                "Try again in a few seconds, or narrow the query.",
                type="query-timeout",
                headers={"Retry-After": "5"},
            )
        )
    log.warning("database unavailable: %s", type(error).__name__)
    return handle_http_exception(
        Problem(
            503,
            "The service cannot reach its database right now. Nothing was changed; "
            "try again in a few seconds.",
            type="database-unavailable",
            headers={"Retry-After": "5"},
        )
    )


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(
        Problem(500, InternalServerError.description, type="internal-error")
    )


def domain_problem(error: Exception) -> Problem:
    """The answer to a domain error (the domain itself knows nothing of HTTP)."""
    from citizen_api.domain.reporting import InvalidReport
    from citizen_api.domain.workflow import IllegalTransition, InvalidChange, NotPermitted

    if isinstance(error, InvalidReport):
        return Problem(
            422, error.detail, type=error.kind, title="Report not accepted", errors=error.errors
        )
    if isinstance(error, IllegalTransition):
        return Problem(
            409,
            error.detail,
            type="illegal-transition",
            title="Illegal status change",
            extra={"current": error.current, "requested": error.wanted, "allowed": error.allowed},
        )
    if isinstance(error, InvalidChange):
        return validation_problem(error.errors, error.detail)
    if isinstance(error, NotPermitted):
        return Problem(
            403, error.detail, type="field-not-allowed", title="Not allowed", errors=error.errors
        )
    raise TypeError(f"no answer for {type(error).__name__}")  # a new domain error: map it


def handle_domain_error(error: Exception) -> Response:
    """Nothing of a refused change stays in the session; then the mapped answer."""
    from citizen_api.extensions import db

    db.session.rollback()
    return handle_http_exception(domain_problem(error))


def register_error_handlers(app: Flask) -> None:
    from citizen_api.domain.reporting import InvalidReport
    from citizen_api.domain.workflow import WorkflowError

    app.register_error_handler(InvalidReport, handle_domain_error)
    app.register_error_handler(WorkflowError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
