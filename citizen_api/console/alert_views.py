"""Area alerts in the console (/console/alerts, supervisors and admins; a clerk gets the
403 page): the live, upcoming and ended alerts, and the forms to publish, update and end
one.

Every change goes through the domain exactly as POST and PATCH /api/v1/alerts do (the
same schema, the same checks, the same broadcast queued in the same transaction), so a
refused form publishes nothing. An update is guarded by the alert's version, like the
API's If-Match: a form posted for an older version changes nothing and says who changed
what since. Times are read and shown in Africa/Casablanca time.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.alerts.schemas import MAX_HEADLINE, MAX_TEXT, AlertIn, AlertUpdateIn
from citizen_api.console.alert_problems import explain_refusal, explain_schema
from citizen_api.console.blueprint import blp, page
from citizen_api.console.dashboard_views import supervisors
from citizen_api.console.i18n import CASABLANCA, current_language
from citizen_api.console.labels import ALERT_FIELD, ALERT_KIND, ALERT_MESSAGE, SEVERITY, label
from citizen_api.domain.alerts import AlertClosed, AlertInvalid, msg_type, publish, revise
from citizen_api.extensions import db
from models import Alert, Area, ServiceType, utcnow
from models.alerts import ALERT_KINDS, SEVERITIES
from models.i18n import LANGUAGES

# The ended alerts listed (the newest first); the API and CAP keep every one.
ENDED_SHOWN = 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
TEXT_FIELDS = ("headline", "text")


def _now() -> dt.datetime:
    return db.session.scalar(select(utcnow()))


def _alert(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404)
    return alert


def _local(value: dt.datetime | None) -> str:
    """A moment as a datetime-local field shows it, in Casablanca time."""
    return value.astimezone(CASABLANCA).strftime(LOCAL_FORMAT) if value else ""


def _choices(lang: str) -> dict:
    areas = db.session.scalars(select(Area).order_by(Area.code)).all()
    services = db.session.scalars(
        select(ServiceType).where(ServiceType.active).order_by(ServiceType.code)
    ).all()
    return {
        "kinds": [(k, label(ALERT_KIND, k)) for k in ALERT_KINDS],
        "severities": [(s, label(SEVERITY, s)) for s in SEVERITIES],
        "areas": sorted(((a.code, a.name(lang)) for a in areas), key=lambda a: a[1]),
        "services": sorted(((s.code, s.name(lang)) for s in services), key=lambda s: s[1]),
    }


def _form_of(alert: Alert) -> dict:
    """The form's values for an alert as it stands."""
    form = {
        "kind": alert.kind,
        "severity": alert.severity,
        "areas": list(alert.area_codes),
        "services": list(alert.service_codes),
        "polygon": json.dumps(alert.polygon) if alert.polygon else "",
        "starts_at": _local(alert.starts_at),
        "ends_at": _local(alert.ends_at),
    }
    for lang in LANGUAGES:
        form[f"headline_{lang}"] = alert.headline.get(lang, "")
        form[f"text_{lang}"] = alert.description.get(lang, "")
    return form


def _posted_form() -> dict:
    """What was posted, to show the form again as it was filled."""
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    form["areas"] = request.form.getlist("areas")
    form["services"] = request.form.getlist("services")
    return form


def _read(form: dict) -> tuple[dict, dict[str, list[str]]]:
    """The posted form as the API's JSON body (before its schema), and what the console
    itself refuses (a time or a GeoJSON it cannot read)."""
    body: dict = {
        "kind": form.get("kind", ""),
        "severity": form.get("severity", ""),
        "areas": form["areas"],
        "services": form["services"],
    }
    problems: dict[str, list[str]] = {}
    polygon = (form.get("polygon") or "").strip()
    if polygon:
        try:
            body["polygon"] = json.loads(polygon)
        except ValueError:
            problems["polygon"] = [
                _("The drawn zone is not GeoJSON; draw it on the map or paste a Polygon.")
            ]
    else:
        body["polygon"] = None
    for name in ("starts_at", "ends_at"):
        value = (form.get(name) or "").strip()
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            problems[name] = [
                _("Give the start as a date and a time.")
                if name == "starts_at"
                else _("Give the expected end as a date and a time.")
            ]
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CASABLANCA)
        body[name] = moment.isoformat()
    for name in TEXT_FIELDS:
        body[name] = {
            lang: form.get(f"{name}_{lang}", "").strip()
            for lang in LANGUAGES
            if form.get(f"{name}_{lang}", "").strip()
        }
    return body, problems


def _validated(schema, form: dict) -> tuple[dict | None, dict[str, list[str]]]:
    body, problems = _read(form)
    try:
        data = schema.load({k: v for k, v in body.items() if k not in problems})
    except ValidationError as exc:
        problems = {**explain_schema(exc.messages), **problems}
        return None, problems
    return (None if problems else data), problems


def _history(alert: Alert, after: int = 0) -> list[dict]:
    return [
        {
            "version": r["version"],
            "sent": dt.datetime.fromisoformat(r["sent"]),
            "by": r.get("by") or (alert.created_by if r["version"] == 1 else "—"),
            "what": label(ALERT_MESSAGE, r["msg_type"]),
            "changed": ", ".join(label(ALERT_FIELD, f) for f in r.get("changed", [])),
        }
        for r in alert.revisions
        if r["version"] > after
    ]


def _form_page(alert: Alert | None, form: dict, status: int = 200, **extra):
    lang = current_language()
    return page(
        "console/alert_form.html",
        status,
        alert=alert,
        form=form,
        errors=extra.pop("errors", {}),
        history=_history(alert) if alert else [],
        kind_label=label(ALERT_KIND, alert.kind) if alert else "",
        message_type=msg_type(alert) if alert else "",
        max_headline=MAX_HEADLINE,
        max_text=MAX_TEXT,
        languages_text=(("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))),
        areas_url=url_for("areas.list_areas", lang=lang),
        **_choices(lang),
        **extra,
    )


@blp.get("/alerts")
@supervisors
def alerts():
    """Live, upcoming and ended alerts."""
    now = _now()
    current = db.session.scalars(
        select(Alert)
        .where(Alert.status == "published", Alert.ends_at > now)
        .order_by(Alert.starts_at, Alert.id)
    ).all()
    ended = db.session.scalars(
        select(Alert)
        .where((Alert.status == "cancelled") | (Alert.ends_at <= now))
        .order_by(Alert.updated_at.desc(), Alert.id.desc())
        .limit(ENDED_SHOWN)
    ).all()
    lang = current_language()
    names = {a.code: a.name(lang) for a in db.session.scalars(select(Area))}
    separator = "، " if lang == "ar" else ", "

    def row(alert: Alert) -> dict:
        return {
            "alert": alert,
            "areas": separator.join(sorted(names.get(c, c) for c in alert.covered_areas)),
            "headline": alert.headline.get(lang) or alert.headline["fr"],
            "kind": label(ALERT_KIND, alert.kind),
            "severity": label(SEVERITY, alert.severity),
        }

    return page(
        "console/alerts.html",
        live=[row(a) for a in current if a.starts_at <= now],
        upcoming=[row(a) for a in current if a.starts_at > now],
        ended=[row(a) for a in ended],
        ended_shown=ENDED_SHOWN,
    )


@blp.get("/alerts/new")
@supervisors
def new_alert():
    """The form to publish an alert: from now to eight hours on, by default."""
    now = _now()
    form = {
        "kind": "water_cut",
        "severity": "moderate",
        "areas": [],
        "services": [],
        "starts_at": _local(now),
        "ends_at": _local(now + dt.timedelta(hours=8)),
    }
    return _form_page(None, form)


@blp.post("/alerts")
@supervisors
def create_alert():
    """Publish an alert (its subscribers' messages queued in the same transaction)."""
    form = _posted_form()
    data, problems = _validated(AlertIn(), form)
    if data is None:
        return _form_page(None, form, 422, errors=problems)
    try:
        alert = publish(db.session, g.clerk.username, data, _now())
        db.session.commit()
    except AlertInvalid as exc:
        db.session.rollback()
        return _form_page(None, form, 422, errors=explain_refusal(exc.errors))
    flash(_("The alert was published; its subscribers are being told."), "success")
    return redirect(url_for("console.alert_page", alert_id=alert.id))


@blp.get("/alerts/<int(max=9223372036854775807):alert_id>")
@supervisors
def alert_page(alert_id):
    """One alert, its history, and the form to update it."""
    alert = _alert(alert_id)
    return _form_page(alert, _form_of(alert))


def _stale(alert: Alert, form: dict, seen: int):
    return _form_page(alert, form, 409, stale=_history(alert, after=seen))


def _refused(alert: Alert, form: dict, seen: int):
    """The page that refuses a change to an ended alert or from a stale form, if so."""
    if alert.status == "cancelled":
        return _form_page(alert, _form_of(alert), 409, closed=True)
    if seen != alert.version:
        return _stale(alert, form, seen)
    return None


@blp.post("/alerts/<int(max=9223372036854775807):alert_id>")
@supervisors
def update_alert(alert_id):
    """Update an alert (a new version: CAP Update), if the form was for its version."""
    alert, form = _alert(alert_id), _posted_form()
    seen = request.form.get("version", type=int) or 0
    refused = _refused(alert, form, seen)
    if refused is not None:
        return refused
    data, problems = _validated(AlertUpdateIn(), form)
    if data is None:
        return _form_page(alert, form, 422, errors=problems)
    for name in ("starts_at", "ends_at"):  # shown to the minute: unchanged is unchanged
        if form.get(name) == _local(getattr(alert, name)):
            data.pop(name, None)
    try:
        revise(db.session, alert, data, _now(), author=g.clerk.username)
        if not alert.revisions[-1].get("changed"):
            db.session.rollback()  # nothing to tell anyone: no new version
            return _form_page(
                _alert(alert_id), form, 422, errors={"_form": [_("Nothing was changed.")]}
            )
        db.session.commit()
    except AlertInvalid as exc:
        db.session.rollback()
        return _form_page(_alert(alert_id), form, 422, errors=explain_refusal(exc.errors))
    except StaleDataError:
        db.session.rollback()
        return _stale(_alert(alert_id), form, seen)
    flash(_("The alert was updated; its subscribers are being told."), "success")
    return redirect(url_for("console.alert_page", alert_id=alert.id))


@blp.get("/alerts/<int(max=9223372036854775807):alert_id>/end")
@supervisors
def end_alert_confirm(alert_id):
    """Ask before ending an alert: it cannot be undone."""
    alert = _alert(alert_id)
    if alert.status == "cancelled":
        return redirect(url_for("console.alert_page", alert_id=alert.id))
    lang = current_language()
    return page(
        "console/alert_end.html",
        alert=alert,
        headline=alert.headline.get(lang) or alert.headline["fr"],
    )


@blp.post("/alerts/<int(max=9223372036854775807):alert_id>/end")
@supervisors
def end_alert(alert_id):
    """End (cancel) an alert: CAP Cancel, and its subscribers are told it is over."""
    alert = _alert(alert_id)
    seen = request.form.get("version", type=int) or 0
    refused = _refused(alert, _form_of(alert), seen)
    if refused is not None:
        return refused
    try:
        revise(db.session, alert, {"status": "cancelled"}, _now(), author=g.clerk.username)
        db.session.commit()
    except (AlertClosed, StaleDataError):
        db.session.rollback()
        return _stale(_alert(alert_id), _form_of(_alert(alert_id)), seen)
    except AlertInvalid as exc:  # e.g. an area removed from the city since
        db.session.rollback()
        return _form_page(
            _alert(alert_id), _form_of(alert), 422, errors=explain_refusal(exc.errors)
        )
    flash(_("The alert was ended; its subscribers are being told."), "success")
    return redirect(url_for("console.alerts"))
