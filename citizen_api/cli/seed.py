"""Load the 17 areas and the starting catalogue. Idempotent: rows are matched by code,
updated when the data changed, never duplicated; nothing an administrator added is removed.
"""

from __future__ import annotations

import json
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Area, Department, RoutingRule, ServiceAttribute, ServiceType

DATA = Path(__file__).parents[1] / "data"
AREAS_FILE = DATA / "casablanca-areas.geojson"
CATALOGUE_FILE = DATA / "catalogue.json"


def _upsert(session: Session, model, code: str, **values):
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        row = model(code=code, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


def seed_areas(session: Session, path: Path = AREAS_FILE) -> list[Area]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    areas = []
    for feature in features:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        if geom.geom_type == "Polygon":
            geom = MultiPolygon([geom])
        areas.append(
            _upsert(
                session,
                Area,
                props["code"],
                kind=props["kind"],
                name_fr=props["name_fr"],
                name_ar=props["name_ar"],
                name_en=props.get("name_en"),
                prefecture_code=props.get("prefecture_code"),
                prefecture_name=props.get("prefecture"),
                hcp_code=props.get("hcp_code"),
                geom=from_shape(geom, srid=4326),
            )
        )
    session.flush()
    return areas


def seed_catalogue(session: Session, areas: list[Area], path: Path = CATALOGUE_FILE) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    departments = {
        d["code"]: _upsert(session, Department, d["code"], **_without(d, "code"))
        for d in data["departments"]
    }
    for area in areas:
        template = data["area_divisions"][area.kind]
        names = {"area": area.code, "name_fr": area.name_fr, "name_ar": area.name_ar}
        filled = {key: value.format(**names) for key, value in template.items()}
        departments[filled["code"]] = _upsert(
            session, Department, filled["code"], **_without(filled, "code")
        )
    session.flush()

    for item in data["service_types"]:
        fields = _without(item, "code", "attributes", "routing")
        service = _upsert(session, ServiceType, item["code"], **fields)
        session.flush()
        existing = {a.code: a for a in service.attributes}
        for order, attr in enumerate(item["attributes"], start=1):
            values = {**_without(attr, "code"), "order": order}
            values.setdefault("values", None)
            if attr["code"] in existing:
                for key, value in values.items():
                    setattr(existing[attr["code"]], key, value)
            else:
                service.attributes.append(ServiceAttribute(code=attr["code"], **values))
        routing = item["routing"]
        if "city" in routing:
            _rule(session, service, "city", "", departments[routing["city"]])
        for area in areas if "each_area" in routing else ():
            department = departments[routing["each_area"].format(area=area.code)]
            _rule(session, service, "area", area.code, department)
    session.flush()


def _rule(session, service, scope, scope_code, department) -> None:
    rule = session.scalar(
        select(RoutingRule).where(
            RoutingRule.service_type_id == service.id,
            RoutingRule.scope == scope,
            RoutingRule.scope_code == scope_code,
        )
    )
    if rule is None:
        session.add(
            RoutingRule(
                service_type_id=service.id,
                scope=scope,
                scope_code=scope_code,
                department_id=department.id,
            )
        )
    else:
        rule.department_id = department.id


def _without(mapping: dict, *keys: str) -> dict:
    return {k: v for k, v in mapping.items() if k not in keys and not k.startswith("_")}


def seed(session: Session) -> dict:
    """Load everything; return what the database now holds."""
    areas = seed_areas(session)
    seed_catalogue(session, areas)
    return {
        model.__tablename__: len(session.scalars(select(model.id)).all())
        for model in (Area, Department, ServiceType, RoutingRule)
    }
