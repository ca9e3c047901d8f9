"""Editing the catalogue from the console: texts and SLA within bounds, routing changes
previewed area by area, a change leaving a service unhandled refused with the areas
named, filed reports never re-routed, a clerk refused."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from citizen_api.extensions import db
from models import AuditEntry, RoutingRule, ServiceType
from tests.console.conftest import new_account
from tests.console.test_accounts import post
from tests.helpers import stored_report
from tests.triage.helpers import new_ticket

PAGE = "/console/catalogue/nid-de-poule"
OTHER = "relève d'une autre direction"  # the 403 page's words


def _service(app) -> ServiceType:
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        db.session.expunge(service)
        return service


def _rules(app):
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        rows = db.session.scalars(
            select(RoutingRule).where(RoutingRule.service_type_id == service.id)
        ).all()
        return {(r.scope, r.scope_code): r.department.code for r in rows}


def _restore(app, rules):
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        db.session.query(RoutingRule).filter_by(service_type_id=service.id).delete()
        from models import Department

        for (scope, code), department in rules.items():
            dep = db.session.scalar(select(Department).where(Department.code == department))
            db.session.add(RoutingRule(service_type_id=service.id, scope=scope, scope_code=code,
                                       department_id=dep.id))  # fmt: skip
        db.session.commit()


def test_the_sla_and_texts_are_edited_within_bounds(app, console):
    before = _service(app)
    browser = console("salma")
    form = {f"{f}_{lang}": getattr(before, f"{f}_{lang}") or "" for f in ("name", "description")
            for lang in ("fr", "ar", "en")}  # fmt: skip
    for bad in ("0", "-4", "100000", "twelve", ""):
        response = post(browser, PAGE, **{**form, "sla_hours": bad})
        assert response.status_code == 422, bad
        assert "nombre entier d'heures de 1 à 2160" in unescape(response.get_data(as_text=True))
    assert _service(app).sla_hours == before.sla_hours
    assert post(browser, PAGE, **{**form, "sla_hours": "36", "name_en": "Road hole"}
                ).status_code == 302  # fmt: skip
    after = _service(app)
    assert after.sla_hours == 36 and after.name_en == "Road hole"
    assert post(browser, PAGE, **{**form, "name_ar": "", "sla_hours": "36"}).status_code == 422
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.target == "service:nid-de-poule")
        ).all()[-1]
        assert entry.actor == "salma" and f"sla_hours: {before.sla_hours} -> 36" in entry.detail
    post(browser, PAGE, **{**form, "sla_hours": str(before.sla_hours)})


def test_a_routing_change_is_previewed_then_saved_and_filed_reports_keep_their_department(
    app, client, console, area_points
):
    original = _rules(app)
    lon, lat = area_points["anfa"]
    filed = new_ticket(client, lat=lat, long=lon)["tracking_code"]
    browser = console("chef")
    proposal = {"scope": "area", "scope_code": "anfa", "department": "eclairage"}
    try:
        preview = post(browser, f"{PAGE}/rules", action="preview", **proposal)
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200 and 'data-area="anfa"' in html
        assert html.count("<tr data-area=") == 1  # only Anfa changes hands
        assert _rules(app) == original  # a preview saves nothing
        saved = post(browser, f"{PAGE}/rules", action="save", **proposal)
        assert saved.status_code == 302
        assert _rules(app)[("area", "anfa")] == "eclairage"
        with app.app_context():
            assert stored_report(filed).department.code == "voirie"  # never re-routed
        # A new report in Anfa goes to the new department, at once in this process.
        fresh = new_ticket(client, lat=lat, long=lon)["tracking_code"]
        with app.app_context():
            assert stored_report(fresh).department.code == "eclairage"
    finally:
        _restore(app, original)


def test_a_change_leaving_the_service_unhandled_is_refused_with_the_areas_named(app, console):
    original = _rules(app)
    city = [k for k in original if k[0] == "city"]
    assert city, original  # the seed routes potholes city-wide
    browser = console("chef")
    response = post(browser, f"{PAGE}/rules", action="save", scope="city", scope_code="",
                    department="")  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "personne ne traiterait plus ce service" in html and "Anfa" in html
    assert _rules(app) == original


def test_a_clerk_cannot_edit_the_catalogue(app, console):
    browser = console("nadia")
    assert browser.get("/console/catalogue").status_code == 403
    response = post(browser, f"{PAGE}/rules", action="save", scope="area", scope_code="anfa",
                    department="eclairage")  # fmt: skip
    assert response.status_code == 403
    assert ("area", "anfa") not in _rules(app) or _rules(app)[("area", "anfa")] != "eclairage"


def test_a_supervisor_edits_only_their_own_departments_services_and_rules(app, console):
    """Salma (voirie) cannot open, save or re-route lighting; a lighting supervisor, handed
    Anfa's potholes, may hand them back but neither take another area nor touch voirie's
    city-wide rule or the pothole texts. Each refusal is the 403 page, nothing changed."""
    lighting = "/console/catalogue/eclairage-panne"
    salma = console("salma")
    listing = salma.get("/console/catalogue").get_data(as_text=True)
    assert "nid-de-poule" in listing and "eclairage-panne" not in listing
    assert salma.get(lighting).status_code == 403
    with app.app_context():
        before = db.session.scalar(
            select(ServiceType).where(ServiceType.code == "eclairage-panne")
        ).sla_hours
    response = post(salma, lighting, name_fr="x", name_ar="x", sla_hours="5")
    assert response.status_code == 403
    assert OTHER in unescape(response.get_data(as_text=True))
    response = post(salma, f"{lighting}/rules", action="save", scope="area", scope_code="anfa",
                    department="voirie")  # fmt: skip
    assert response.status_code == 403
    with app.app_context():
        lamp = db.session.scalar(select(ServiceType).where(ServiceType.code == "eclairage-panne"))
        assert lamp.sla_hours == before
        rules = db.session.scalars(
            select(RoutingRule).where(RoutingRule.service_type_id == lamp.id)
        )
        assert {r.scope for r in rules} == {"city"}

    original = _rules(app)
    chef = console("chef")
    assert post(chef, f"{PAGE}/rules", action="save", scope="area", scope_code="anfa",
                department="eclairage").status_code == 302  # fmt: skip
    try:
        lighting_chief = console(new_account(app, "supervisor", "eclairage"))
        assert lighting_chief.get(PAGE).status_code == 200  # they handle Anfa now
        service = _service(app)
        texts = post(lighting_chief, PAGE, name_fr="Trou", name_ar=service.name_ar,
                     sla_hours="1")  # fmt: skip
        assert texts.status_code == 403 and _service(app).sla_hours == service.sla_hours
        for scope, code, department in (
            ("area", "maarif", "eclairage"),  # taking a voirie area
            ("city", "", "eclairage"),  # voirie's own rule
        ):
            for action in ("preview", "save"):
                response = post(lighting_chief, f"{PAGE}/rules", action=action, scope=scope,
                                scope_code=code, department=department)  # fmt: skip
                assert response.status_code == 403, (scope, code, action)
                assert OTHER in unescape(response.get_data(as_text=True))
        after = _rules(app)
        assert after[("area", "anfa")] == "eclairage" and ("area", "maarif") not in after
        # Their own rule: handing Anfa back is allowed.
        back = post(lighting_chief, f"{PAGE}/rules", action="save", scope="area",
                    scope_code="anfa", department="voirie")  # fmt: skip
        assert back.status_code == 302 and _rules(app)[("area", "anfa")] == "voirie"
    finally:
        _restore(app, original)
