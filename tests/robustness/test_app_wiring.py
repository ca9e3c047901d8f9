"""Nothing is wired at import time: the session listeners (statistics, the catalogue
copy, the outbox dispatch) are attached where an app is built, once however many apps a
process builds, so a second app behaves as the first."""

from __future__ import annotations

from sqlalchemy import func, select

from citizen_api.extensions import db
from models.stats import MonthlyStats
from tests.helpers import report


def monthly_reports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(MonthlyStats.reports), 0)))


def test_a_second_app_counts_each_report_once(app, make_variant):
    second = make_variant()
    third = make_variant()
    before = monthly_reports(app)
    for application in (app, second, third):
        assert report(application.test_client()).status_code == 201
    # One listener per event however many apps were built: each report counts once.
    assert monthly_reports(app) == before + 3
    assert monthly_reports(second) == before + 3


def test_a_catalogue_change_made_through_one_app_shows_in_another(app, make_variant):
    from models import ServiceType

    second = make_variant()
    client = app.test_client()
    assert report(client).json["service_name"] != "Nid-de-poule (chaussée)"  # copy loaded
    with second.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        old = service.name_fr
        service.name_fr = "Nid-de-poule (chaussée)"
        db.session.commit()
    try:
        assert report(client).json["service_name"] == "Nid-de-poule (chaussée)"
    finally:
        with second.app_context():
            service = db.session.scalar(
                select(ServiceType).where(ServiceType.code == "nid-de-poule")
            )
            service.name_fr = old
            db.session.commit()
