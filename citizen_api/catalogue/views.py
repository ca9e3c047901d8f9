"""/api/v1/services: what can be reported, in the resident's language."""

from __future__ import annotations

import orjson
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import exists, select

from citizen_api.catalogue.schemas import (
    LangArgs,
    ServiceDetailOut,
    ServiceListOut,
    ServiceQueryArgs,
    SuggestArgs,
    SuggestionListOut,
)
from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.routing import applies_at, area_index
from citizen_api.domain.suggest import detect_language, suggest
from citizen_api.extensions import db
from citizen_api.web.errors import Problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import RoutingRule, ServiceType
from models.i18n import pick

blp = Blueprint(
    "services", __name__, url_prefix="/api/v1/services", description="The catalogue of services"
)


def service_view(service: ServiceType, lang: str) -> dict:
    return {
        "code": service.code,
        "name": service.name(lang),
        "description": service.description(lang),
        "group": service.group(lang),
        "keywords": [k.strip() for k in service.keywords.split(",") if k.strip()],
        "sla_hours": service.sla_hours,
        "has_attributes": bool(service.attributes),
    }


def service_detail(service: ServiceType, lang: str) -> dict:
    return {
        **service_view(service, lang),
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "order": a.order,
                "description": a.description(lang),
                "values": [
                    {"key": v["key"], "name": pick(v, "name", lang)} for v in a.values or ()
                ],
            }
            for a in service.attributes
        ],
    }


@blp.get("")
@blp.arguments(ServiceQueryArgs, location="query", unknown=RAISE)
@blp.response(200, ServiceListOut)
def list_services(args):
    """List the services; with lat and long, only those handled at that point."""
    lang = args.get("lang") or negotiate()
    query = select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.id)
    if "lat" in args:
        try:
            hit = area_index(db.session).locate(
                args["long"], args["lat"], current_app.config["AREA_SNAP_METERS"]
            )
        except OutsideCity:
            raise Problem(
                422,
                "This point is outside Casablanca: no service is available there.",
                type="outside-city",
                errors={"lat": ["Outside the city."], "long": ["Outside the city."]},
            ) from None
        query = query.where(
            exists().where(RoutingRule.service_type_id == ServiceType.id, applies_at(hit))
        )
        items = [service_view(s, lang) for s in db.session.scalars(query)]
        return localize(json_response({"items": items}), lang)
    # The whole catalogue: encoded once per language for as long as this process's
    # catalogue copy lives (it is dropped when the catalogue changes, or after its TTL).
    memo = catalogue(db.session).memo
    body = memo.get(("services", lang))
    if body is None:
        items = [service_view(s, lang) for s in db.session.scalars(query)]
        body = memo[("services", lang)] = orjson.dumps({"items": items})
    return localize(json_response(body, encoded=True), lang)


@blp.get("/suggest")
@blp.arguments(SuggestArgs, location="query", unknown=RAISE)
@blp.response(200, SuggestionListOut)
def suggest_services(args):
    """Suggest the three likeliest services for a resident's own words."""
    lang = args.get("lang") or negotiate()
    services = catalogue(db.session).services_by_code
    active = {code for code, s in services.items() if s.active}
    items = [
        {"code": code, "name": services[code].name(lang), "score": score}
        for code, score in suggest(args["q"], k=3, among=active)
    ]
    body = {"written_in": detect_language(args["q"]), "items": items}
    return localize(json_response(body), lang)


@blp.get("/<code>")
@blp.arguments(LangArgs, location="query", unknown=RAISE)
@blp.response(200, ServiceDetailOut)
@blp.alt_response(404, description="No such service")
def get_service(args, code):
    """Describe one service, with the attributes a report of it may answer."""
    lang = args.get("lang") or negotiate()
    service = db.session.scalar(
        select(ServiceType).where(ServiceType.code == code, ServiceType.active.is_(True))
    )
    if service is None:
        raise Problem(404, f"No service has the code {code!r}.", type="not-found")
    return localize(json_response(service_detail(service, lang)), lang)
