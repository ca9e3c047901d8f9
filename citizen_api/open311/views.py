"""/open311/v2: GeoReport v2's seven methods, each in .json and .xml.

A plain Flask blueprint rather than flask-smorest: the spec fixes its own formats, XML
included, and its own error shape, which smorest's JSON marshalling would fight.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, request
from marshmallow import ValidationError
from sqlalchemy import exists, select

from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.report_fields import FormText, ReportFields
from citizen_api.domain.reporting import active_service
from citizen_api.domain.routing import applies_at, area_index
from citizen_api.domain.tracking import normalize
from citizen_api.extensions import db
from citizen_api.open311 import args as a
from citizen_api.open311 import present
from citizen_api.open311.listing import base_query, find_requests
from citizen_api.open311.render import render
from citizen_api.web.errors import Problem
from citizen_api.web.filing import file_and_answer
from citizen_api.web.idempotency import idempotent
from citizen_api.web.lang import localize, negotiate
from models import RoutingRule, ServiceRequest, ServiceType
from models.api_keys import active_key

PREFIX = "/open311/v2"
blp = Blueprint("open311", __name__, url_prefix=PREFIX)
FMT = "<any(json, xml):fmt>"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Contact fields: accepted, length-checked, never stored beyond the phone (kept apart from
# the report, as in the native API), never echoed, never logged.
CONTACT_LIMITS = {"email": 254, "first_name": 100, "last_name": 100, "device_id": 200}


@blp.before_request
def check_jurisdiction():
    """Refuse a jurisdiction_id other than the one casa311 serves (absent is fine)."""
    given = request.args.get("jurisdiction_id", "").strip()
    if not given and request.method == "POST" and request.mimetype in FORM_TYPES:
        given = request.form.get("jurisdiction_id", "").strip()
    expected = current_app.config["OPEN311_JURISDICTION_ID"]
    if given and given != expected:
        raise a.bad("jurisdiction_id", f"casa311 serves only the jurisdiction {expected!r}.")


@blp.get(f"/discovery.{FMT}")
def discovery(fmt):
    """Describe this endpoint: its specification, URL, formats and how to get a key."""
    config = current_app.config
    body = present.discovery(
        config["PUBLIC_BASE_URL"], config["OPEN311_CONTACT"], config["OPEN311_KEY_SERVICE"]
    )
    return render(fmt, "discovery", body)


@blp.get(f"/services.{FMT}")
def list_services(fmt):
    """List the services; with lat and long, only those handled at that point."""
    args = a.present(request.args)
    lang = negotiate()
    query = select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.id)
    if "lat" in args or "long" in args:
        if not ("lat" in args and "long" in args):
            raise a.bad("long" if "lat" in args else "lat", "lat and long go together.")
        lat, lon = a.number(args, "lat", -90, 90), a.number(args, "long", -180, 180)
        try:
            hit = area_index(db.session).locate(lon, lat, current_app.config["AREA_SNAP_METERS"])
        except OutsideCity:
            raise a.bad("lat", "This point is outside Casablanca: no service there.") from None
        query = query.where(
            exists().where(RoutingRule.service_type_id == ServiceType.id, applies_at(hit))
        )
    items = [present.service(s, lang) for s in db.session.scalars(query)]
    return localize(render(fmt, "services", items), lang)


@blp.get(f"/services/<code>.{FMT}")
def service_definition(code, fmt):
    """Define one service: the attributes a request of it answers."""
    lang = negotiate()
    service = active_service(db.session, code)
    if service is None:
        raise Problem(404, f"No service has the code {code!r}.")
    return localize(render(fmt, "service_definition", present.definition(service, lang)), lang)


@blp.post(f"/requests.{FMT}")
@idempotent("open311:create")
def create_request(fmt):
    """File a request (form-encoded, with an api_key); it is routed like any report.

    An Idempotency-Key header makes a retry safe, as on the native API."""
    if request.mimetype not in FORM_TYPES:
        raise a.bad("Content-Type", "Send the request form-encoded (x-www-form-urlencoded).")
    form = a.present(request.form)
    if "api_key" not in form:
        raise Problem(403, "An api_key is required to create a request.")
    key = active_key(db.session, form["api_key"].strip())
    if key is None:
        raise Problem(403, "Invalid or revoked api_key: cannot create a request.")
    fields = _report_fields(form)
    account_id = a.text(form, "account_id", 200) if "account_id" in form else None
    # As on the list and one request: casa311's extras only when asked for.
    extensions = a.flag(request.args, "extensions") or a.flag(form, "extensions")
    lang = negotiate()

    def answer(report):
        alert = getattr(report, "known_alert", None)  # a live alert explains it
        item = {
            "service_request_id": report.tracking_code,
            "service_notice": (
                present.known_notice(alert, lang)
                if alert is not None
                else present.notice(report.service_type, lang)
            ),
        }
        if account_id is not None:
            item["account_id"] = account_id
        if extensions:
            item["extended_attributes"] = {"alert": present.alert_extension(alert, lang)}
        return localize(render(fmt, "service_requests", [item]), lang)

    # An InvalidReport is answered by citizen_api.web.errors, in the spec's 400 shape.
    return file_and_answer(
        fields, answer, lang=lang, channel="open311", actor=f"open311:{key.name}"
    )


# GeoReport v2's field names, where they differ from the report's own.
SPEC_NAMES = {"address": "address_string"}


def _report_fields(form) -> dict:
    """The report's fields from the form, through the one rule set (ReportFields)."""
    for field, limit in CONTACT_LIMITS.items():
        a.text(form, field, limit)
    if "service_code" not in form:
        raise a.bad("service_code", "Required: the code of a service from services.json.")
    if "lat" not in form or "long" not in form:
        if "address_string" in form or "address_id" in form:
            raise a.bad(
                "lat",
                "casa311 routes a request by its point: send lat and long "
                "(address_string alone cannot be placed).",
            )
        raise a.bad("lat", "Required, with long: where the problem is (WGS84).")
    given = {
        "service_code": form.get("service_code"),
        "lat": form.get("lat"),
        "long": form.get("long"),
        "description": form.get("description"),
        "address": form.get("address_string"),
        "phone": form.get("phone"),
    }
    data = {name: FormText(value.strip()) for name, value in given.items() if value is not None}
    answers = a.attributes(form)
    if answers:
        data["attributes"] = answers
    try:
        return ReportFields().load(data)
    except ValidationError as exc:
        errors = {SPEC_NAMES.get(k, k): v for k, v in exc.normalized_messages().items()}
        field = sorted(errors)[0]
        raise Problem(400, f"{field}: {errors[field][0]}", errors=errors) from None


@blp.get(f"/tokens/<token>.{FMT}")
def request_id_from_token(token, fmt):
    """Turn a token into a request id. casa311 files requests at once, so a request's
    token is its service_request_id."""
    code = normalize(token)
    found = code and db.session.scalar(
        select(ServiceRequest.tracking_code).where(ServiceRequest.tracking_code == code)
    )
    if not found:
        raise Problem(404, f"No request has the token {token!r}.")
    return render(fmt, "service_requests", [{"service_request_id": found, "token": token}])


@blp.get(f"/requests.{FMT}")
def list_requests(fmt):
    """List requests: the spec's filters, plus paging, updates, places and extensions."""
    args = a.present(request.args)
    lang = negotiate()
    extensions = a.flag(args, "extensions")
    found = find_requests(db.session, args, dt.datetime.now(dt.UTC))
    items = [present.service_request(r, lang, extensions, _base_url()) for r in found]
    return localize(render(fmt, "service_requests", items), lang)


@blp.get(f"/requests/<code>.{FMT}")
def get_request(code, fmt):
    """One request, as a one-element list (service_requests/request in XML)."""
    args = a.present(request.args)
    lang = negotiate()
    extensions = a.flag(args, "extensions")
    canonical = normalize(code)
    report = canonical and db.session.scalar(
        base_query().where(ServiceRequest.tracking_code == canonical)
    )
    if not report:
        raise Problem(404, f"No request has the id {code!r}.")
    item = present.service_request(report, lang, extensions, _base_url())
    return localize(render(fmt, "service_requests", [item]), lang)


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]
