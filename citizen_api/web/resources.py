"""Numbered resources (alerts, incidents): the one id converter of their URLs, the one
find-or-404, and the one keyset page of a list, newest first.

A URL id is any run of up to 30 digits, so an id past BIGINT reaches the view and is a
404 like any id that does not exist (werkzeug's `int(max=...)` refused it in the router,
which then answered an undocumented 405 naming the other methods of that path). Longer
runs, signs and letters match no route: 404 as well.
"""

from __future__ import annotations

from flask import Flask, request, url_for
from sqlalchemy import Select, select
from werkzeug.routing import BaseConverter

from citizen_api.extensions import db
from citizen_api.web.cursor import MAX_BIGINT, decode_cursor, encode_cursor, keys_fit
from citizen_api.web.errors import Problem

ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_BIGINT}


class IdConverter(BaseConverter):
    regex = r"\d{1,30}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register_ids(app: Flask) -> None:
    """`<id:name>` in routes (before any blueprint that uses it is registered)."""
    app.url_map.converters["id"] = IdConverter


def id_parameter_schema(_converter) -> dict:
    return dict(ID_SCHEMA)


def find_or_404(model, ident: int, detail: str, *where):
    """The row of `model` with this id that also meets `where` (a scope), or a 404 with
    `detail` (the same answer for an id out of range, unknown, or out of scope)."""
    row = None
    if 1 <= ident <= MAX_BIGINT:
        row = db.session.scalar(select(model).where(model.id == ident, *where))
    if row is None:
        raise Problem(404, detail, type="not-found")
    return row


def links_to_id(parameter: str, operations: dict[str, str]) -> dict:
    """OpenAPI links from a create's answer to the operations on what it made: each
    operation id gets `parameter` from the answer's `id`."""
    return {
        name: {"operationId": operation, "parameters": {parameter: "$response.body#/id"}}
        for name, operation in operations.items()
    }


CURSOR_MESSAGE = "Pass back the next_cursor of the previous page, unchanged."


def newest_first_page(query: Select, model, limit: int, cursor: str | None):
    """One page of `query` by descending id: (rows, next_cursor or None, headers with a
    Link to the next page). The cursor is the last row's id (web/cursor.py)."""
    if cursor is not None:
        (after,) = decode_cursor(cursor, lambda v: keys_fit(v, [(int, False)]), CURSOR_MESSAGE)
        query = query.where(model.id < after)
    rows = list(db.session.scalars(query.order_by(model.id.desc()).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    headers = {}
    next_cursor = encode_cursor([page[-1].id]) if more else None
    if next_cursor:
        args = {**request.args.to_dict(), "cursor": next_cursor}
        headers["Link"] = f'<{url_for(request.endpoint, **args)}>; rel="next"'
    return page, next_cursor, headers
