"""Editing the catalogue safely: a service's names, descriptions and SLA, and its routing
rules. Free of Flask; each change is recorded in the audit log.

A routing change is first previewed: for each of the areas, which department handles
the service there before and after (the most specific rule wins, as in routing). A
change that would leave the service unhandled in an area is refused, naming the areas.
Reports already filed keep their department: routing is decided once, at filing, and
nothing here touches service_requests. Other app processes see the change when their
catalogue copy expires (catalogue_cache.TTL_SECONDS); this one at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizen_api.domain.staff import Refused, record
from models import Area, Clerk, Department, RoutingRule, ServiceType
from models.catalogue import SCOPE_PRECEDENCE

SLA_MIN, SLA_MAX = 1, 24 * 90  # an hour to 90 days
TEXT_LIMITS = {"name": 200, "description": 2000}


class Unhandled(Refused):
    """The change would leave the service without a department in these areas."""

    def __init__(self, areas: list[str]):
        super().__init__("unhandled", f"unhandled in {', '.join(areas)}", areas=areas)
        self.areas = areas


@dataclass(frozen=True)
class Handover:
    area_code: str
    before: str | None  # department codes
    after: str | None


def _areas(session: Session) -> list[tuple[str, str | None]]:
    return session.execute(select(Area.code, Area.prefecture_code).order_by(Area.code)).all()


def _rules(session: Session, service: ServiceType) -> dict[tuple[str, str], str]:
    rows = session.execute(
        select(RoutingRule.scope, RoutingRule.scope_code, Department.code)
        .join(Department, Department.id == RoutingRule.department_id)
        .where(RoutingRule.service_type_id == service.id)
    ).all()
    return {(scope, code): department for scope, code, department in rows}


def handlers(rules: dict[tuple[str, str], str], areas) -> dict[str, str | None]:
    """{area code: the department handling there} under `rules` (most specific wins)."""
    found = {}
    for code, prefecture in areas:
        scopes = [("area", code), ("prefecture", prefecture or ""), ("city", "")]
        matching = [(SCOPE_PRECEDENCE[s], rules[(s, c)]) for s, c in scopes if (s, c) in rules]
        found[code] = min(matching)[1] if matching else None
    return found


def _check_scope(session: Session, scope: str, code: str) -> str:
    if scope == "city":
        return ""
    if scope == "area" and session.scalar(select(Area.id).where(Area.code == code)):
        return code
    if scope == "prefecture" and session.scalar(
        select(Area.id).where(Area.prefecture_code == code).limit(1)
    ):
        return code
    raise Refused("scope", f"unknown {scope} {code!r}", scope=scope, code=code)


def preview(
    session: Session, service: ServiceType, scope: str, code: str, department: str | None
) -> list[Handover]:
    """The areas that would change hands if the rule (scope, code) sent `service` to
    `department` (None: the rule is removed). Refuses (Unhandled) a change that leaves
    an area without a department, and unknown scopes or departments."""
    code = _check_scope(session, scope, code)
    if department and not session.scalar(
        select(Department.id).where(Department.code == department)
    ):
        raise Refused("department", f"unknown department {department!r}", department=department)
    areas = _areas(session)
    rules = _rules(session, service)
    before = handlers(rules, areas)
    if department:
        rules[(scope, code)] = department
    elif (scope, code) in rules:
        del rules[(scope, code)]
    else:
        raise Refused("no-rule", "there is no such rule to remove")
    after = handlers(rules, areas)
    uncovered = [a for a, d in after.items() if d is None and before[a] is not None]
    if uncovered:
        raise Unhandled(uncovered)
    return [Handover(a, before[a], after[a]) for a in before if before[a] != after[a]]


def save_rule(
    session: Session,
    actor: Clerk,
    service: ServiceType,
    scope: str,
    code: str,
    department: str | None,
) -> list[Handover]:
    """Apply the previewed change (checked again: the rules may have moved meanwhile)."""
    changes = preview(session, service, scope, code, department)
    code = "" if scope == "city" else code
    rule = session.scalar(
        select(RoutingRule).where(
            RoutingRule.service_type_id == service.id,
            RoutingRule.scope == scope,
            RoutingRule.scope_code == code,
        )
    )
    where = "city" if scope == "city" else f"{scope} {code}"
    if department is None:
        session.delete(rule)
        detail = f"{service.code} in {where}: rule removed"
    else:
        target = session.scalar(select(Department).where(Department.code == department))
        old = rule.department.code if rule is not None else "-"
        if rule is None:
            rule = RoutingRule(service_type_id=service.id, scope=scope, scope_code=code)
            session.add(rule)
        rule.department_id = target.id
        detail = f"{service.code} in {where}: {old} -> {department}"
    moved = ", ".join(f"{h.area_code} {h.before}->{h.after}" for h in changes)
    record(session, actor, "routing.update", f"service:{service.code}",
           detail + (f" (areas: {moved})" if moved else ""))  # fmt: skip
    session.flush()
    return changes


def update_service(session: Session, actor: Clerk, service: ServiceType, form: dict) -> list[str]:
    """Set names and descriptions (fr, ar required for names; en optional) and the SLA."""
    changes = []
    try:
        sla = int(form.get("sla_hours", ""))
    except ValueError:
        raise Refused(
            "sla", "the SLA is a whole number of hours", low=SLA_MIN, high=SLA_MAX
        ) from None
    if not SLA_MIN <= sla <= SLA_MAX:
        raise Refused("sla", "SLA out of bounds", low=SLA_MIN, high=SLA_MAX)
    for field, limit in TEXT_LIMITS.items():
        for lang in ("fr", "ar", "en"):
            name = f"{field}_{lang}"
            value = (form.get(name) or "").strip()
            if len(value) > limit:
                raise Refused("too-long", f"{name} too long", n=limit)
            required = field == "name" and lang != "en"
            if required and not value:
                raise Refused("name-needed", f"{name} is required")
            if not required:
                value = value or None
            if getattr(service, name) != value:
                changes.append(name)
                setattr(service, name, value)
    if service.sla_hours != sla:
        changes.append(f"sla_hours: {service.sla_hours} -> {sla}")
        service.sla_hours = sla
    if changes:
        record(session, actor, "service.update", f"service:{service.code}", "; ".join(changes))
        session.flush()
    return changes
