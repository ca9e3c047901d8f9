"""/api/v1/areas: the areas as GeoJSON."""

from __future__ import annotations

import orjson
from flask_smorest import Blueprint
from geoalchemy2 import functions as gfunc
from marshmallow import RAISE, Schema, fields
from sqlalchemy import select

from citizen_api.catalogue.schemas import LangArgs
from citizen_api.extensions import db
from citizen_api.web.errors import Problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import Area

blp = Blueprint("areas", __name__, url_prefix="/api/v1/areas", description="Areas (GeoJSON)")
GEOJSON = "application/geo+json"
CACHE = {"Cache-Control": "public, max-age=3600"}


class AreaFeature(Schema):
    type = fields.String(metadata={"example": "Feature"})
    id = fields.String()
    geometry = fields.Dict(metadata={"description": "GeoJSON MultiPolygon, WGS84"})
    properties = fields.Dict(
        metadata={
            "description": "code, name, name_fr, name_ar, kind, prefecture_code, prefecture_name"
        }
    )


class AreaCollection(Schema):
    type = fields.String(metadata={"example": "FeatureCollection"})
    features = fields.List(fields.Nested(AreaFeature))


def _features(lang: str, code: str | None = None) -> list[dict]:
    query = select(Area, gfunc.ST_AsGeoJSON(Area.geom).label("geojson")).order_by(Area.id)
    if code is not None:
        query = query.where(Area.code == code)
    return [
        {
            "type": "Feature",
            "id": area.code,
            "geometry": orjson.loads(geojson),
            "properties": {
                "code": area.code,
                "name": area.name(lang),
                "name_fr": area.name_fr,
                "name_ar": area.name_ar,
                "kind": area.kind,
                "prefecture_code": area.prefecture_code,
                "prefecture_name": area.prefecture_name,
            },
        }
        for area, geojson in db.session.execute(query)
    ]


@blp.get("")
@blp.arguments(LangArgs, location="query", unknown=RAISE)
@blp.response(200, AreaCollection, content_type=GEOJSON)
def list_areas(args):
    """All areas with their boundaries, as a GeoJSON FeatureCollection."""
    lang = args.get("lang") or negotiate()
    body = {"type": "FeatureCollection", "features": _features(lang)}
    return localize(json_response(body, headers=CACHE, mimetype=GEOJSON), lang)


@blp.get("/<code>")
@blp.arguments(LangArgs, location="query", unknown=RAISE)
@blp.response(200, AreaFeature, content_type=GEOJSON)
@blp.alt_response(404, description="No such area")
def get_area(args, code):
    """One area with its boundary, as a GeoJSON Feature."""
    lang = args.get("lang") or negotiate()
    features = _features(lang, code)
    if not features:
        raise Problem(404, f"No area has the code {code!r}.", type="not-found")
    return localize(json_response(features[0], headers=CACHE, mimetype=GEOJSON), lang)
