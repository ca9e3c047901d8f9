"""GET /r/{code}: the public report page, and its own HTML error pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask, Response, render_template, request, url_for
from sqlalchemy import select

from citizen_api.domain.moderation import public_description, public_photos
from citizen_api.domain.text_safety import mask_contacts
from citizen_api.domain.tracking import normalize
from citizen_api.extensions import db
from citizen_api.page.labels import LANGUAGE_NAMES, STATUS, TEXT
from citizen_api.photos.album import media_path
from citizen_api.web.errors import Problem, register_renderer
from models import OPEN_STATUSES, RequestEvent, ServiceRequest
from models.i18n import DEFAULT_LANGUAGE, LANGUAGES

PREFIX = "/r"
THUMB = 320
# Only this server's own stylesheet and photos; no script, no frame, no form.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)

blp = Blueprint(
    "public_page",
    __name__,
    url_prefix=PREFIX,
    static_folder="static",
    static_url_path="/assets",
)

try:
    CASABLANCA = ZoneInfo("Africa/Casablanca")
except ZoneInfoNotFoundError:  # no tz database on the host: show UTC
    CASABLANCA = dt.UTC


def page_language() -> str:
    """`?lang=` (the switch), else Accept-Language, else French; never an error."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def local_time(when: dt.datetime | None) -> dict | None:
    if when is None:
        return None
    local = when.astimezone(CASABLANCA)
    return {"iso": when.isoformat(), "text": local.strftime("%d/%m/%Y %H:%M")}


def _events(report: ServiceRequest, lang: str) -> list[dict]:
    """The public history only: what happened and the public note, never who did it."""
    rows = db.session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == report.id, RequestEvent.public.is_(True))
        .order_by(RequestEvent.id)
    )
    t, events = TEXT[lang], []
    for event in rows:
        if event.kind == "submitted":
            what = t["submitted_event"]
        elif event.to_status and event.to_status != event.from_status:
            what = t["status_event"].format(status=STATUS[lang].get(event.to_status, ""))
        else:
            what = t["update_event"]
        events.append(
            {"when": local_time(event.created_at), "what": what, "note": mask_contacts(event.note)}
        )
    return events


def _photos(report: ServiceRequest, lang: str) -> list[dict]:
    photos = []
    for n, photo in enumerate(public_photos(report.photos), start=1):
        scale = min(1.0, THUMB / max(photo.width, photo.height))
        photos.append(
            {
                "url": media_path(photo.key),
                "thumb": media_path(photo.thumb_key),
                "width": round(photo.width * scale),
                "height": round(photo.height * scale),
                "alt": TEXT[lang]["photo_alt"].format(n=n, code=report.tracking_code),
            }
        )
    return photos


def _switch(lang: str) -> list[dict]:
    code = request.view_args.get("code") if request.view_args else None
    return [
        {
            "lang": other,
            "name": LANGUAGE_NAMES[other],
            "url": url_for("public_page.report_page", code=code, lang=other),
            "current": other == lang,
        }
        for other in LANGUAGES
    ]


def _html(body: str, status: int, lang: str) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Accept-Language")
    response.cache_control.max_age = 60
    return response


@blp.get("/<code>")
def report_page(code):
    """The public page of one report."""
    lang = page_language()
    canonical = normalize(code)
    report = canonical and db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical)
    )
    if not report:
        raise Problem(404, f"No report has the tracking code {code!r}.", type="not-found")
    body = render_template(
        "report_page.html",
        lang=lang,
        t=TEXT[lang],
        switch=_switch(lang),
        report=report,
        address=mask_contacts(report.address),  # contacts a resident typed: masked
        description=public_description(report),
        description_hidden=report.description_hidden,
        service=report.service_type.name(lang),
        status=STATUS[lang].get(report.status, report.status),
        area=report.area.name(lang),
        filed=local_time(report.requested_at),
        expected=local_time(report.expected_at) if report.status in OPEN_STATUSES else None,
        photos=_photos(report, lang),
        events=_events(report, lang),
    )
    return _html(body, 200, lang)


def render_error(status, title, detail, errors, headers) -> Response:
    """Errors under /r/ are pages for people, not problem+json."""
    lang = page_language()
    t = TEXT[lang]
    heading, message = (
        (t["not_found_title"], t["not_found"]) if status == 404 else (t["error_title"], t["error"])
    )
    body = render_template(
        "report_page_error.html", lang=lang, t=t, heading=heading, message=message, switch=[]
    )
    response = _html(body, status, lang)
    response.headers.update({k: v for k, v in headers.items() if k.lower() == "allow"})
    response.cache_control.max_age = 0
    return response


def register_page(app: Flask) -> None:
    app.register_blueprint(blp)
    register_renderer(PREFIX + "/", render_error)
