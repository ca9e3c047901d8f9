"""The seed: 17 areas and the starting catalogue, loaded any number of times."""

from __future__ import annotations

from sqlalchemy import func, select

from citizen_api.cli.seed import seed
from citizen_api.domain.routing import area_index, rules_for
from models import Area, Department, RoutingRule, ServiceAttribute, ServiceType


def counts(session):
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m))
        for m in (Area, Department, ServiceType, ServiceAttribute, RoutingRule)
    }


def test_seeding_again_changes_nothing(session):
    before = counts(session)
    assert before["areas"] == 17 and before["service_types"] == 12
    seed(session)
    session.commit()
    assert counts(session) == before


def test_every_name_exists_in_french_arabic_and_english(session):
    for service in session.scalars(select(ServiceType)):
        assert all([service.name_fr, service.name_ar, service.name_en]), service.code
        assert all([service.group_fr, service.group_ar, service.group_en]), service.code
        for attribute in service.attributes:
            assert all([attribute.description_fr, attribute.description_ar]), attribute.code
            for value in attribute.values or ():
                assert all(value[f"name_{lang}"] for lang in ("fr", "ar", "en")), value
    for department in session.scalars(select(Department)):
        assert department.name_fr and department.name_ar and department.name_en
    for area in session.scalars(select(Area)):
        assert area.name_fr and area.name_ar


def test_every_service_is_routable_in_every_area(session, area_points):
    index = area_index(session)
    for service in session.scalars(select(ServiceType)):
        for code, (lon, lat) in area_points.items():
            hit = index.locate(lon, lat)
            assert hit.code == code
            assert rules_for(session, service, hit), f"{service.code} has no route in {code}"


def test_each_arrondissement_has_its_technical_division(session):
    codes = set(session.scalars(select(Department.code)))
    areas = set(session.scalars(select(Area.code)))
    assert {f"dt-{a}" for a in areas} <= codes
    assert {
        "voirie",
        "eclairage",
        "proprete",
        "eau-assainissement",
        "espaces-verts",
        "circulation",
        "hygiene",
        "police-administrative",
    } <= codes
