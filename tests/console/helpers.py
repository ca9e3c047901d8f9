"""Reading console pages in the console tests."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from citizen_api.extensions import db
from models import RequestEvent
from tests.helpers import db_time, stored_report
from tests.notifications.support import outbox

ROW_CODE = re.compile(r'href="/console/requests/([A-Z0-9]{4}-[A-Z0-9]{4})"')


def listed(response) -> list[str]:
    """The tracking codes of the queue rows, in order (each row links its ticket once)."""
    assert response.status_code in (200, 422), response.status_code
    html = response.get_data(as_text=True)
    table = html[html.find("<table") : html.find("</table>")]
    return list(dict.fromkeys(ROW_CODE.findall(table)))


def version(app, code: str) -> int:
    with app.app_context():
        db.session.expire_all()
        return stored_report(code).version


def status(app, code: str) -> str:
    with app.app_context():
        db.session.expire_all()
        return stored_report(code).status


def events(app, code: str) -> list[RequestEvent]:
    """The report's history, oldest first, read fresh from the database."""
    return _rows(app, code, RequestEvent)


def _rows(app, code: str, model) -> list:
    with app.app_context():
        db.session.expire_all()
        found = stored_report(code)
        rows = db.session.scalars(
            select(model).where(model.request_id == found.id).order_by(model.id)
        ).all()
        db.session.expunge_all()
        return rows


# The report's messages, oldest first: the notifications tests' own reader.
messages = outbox


def set_times(app, code: str, **columns) -> None:
    """Move a ticket's timestamps (requested_at, expected_at) for date and SLA filters."""
    with app.app_context():
        for column, when in columns.items():
            db.session.execute(
                text(f"UPDATE service_requests SET {column} = :at WHERE tracking_code = :code"),
                {"at": db_time(when), "code": code},
            )
        db.session.commit()
