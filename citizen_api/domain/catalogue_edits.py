"""Editing the catalogue safely: a service's names, descriptions and SLA, and its routing
rules. Free of Flask; each change is recorded in the audit log.

A routing change is first previewed: for each of the areas, which department handles
the service there before and after (the most specific rule wins, as in routing). A
change that would leave the service unhandled in an area is refused, naming the areas.
Reports already filed keep their department: routing is decided once, at filing, and
nothing here touches service_requests. Every edit bumps the catalogue's version stamp
in its own transaction, so other app processes see it within seconds
(catalogue_cache.VERSION_CHECK_SECONDS); this one at once.

Who may edit what: an administrator anything. A supervisor only their own department's:
- a service's texts and SLA when their department is its only handler (every rule of the
  service routes to it), so no other department's deadline moves;
- a routing rule that routes to their department (or a new rule), and only if every area
  that changes hands is theirs before the change: they may reshape or hand over their
  own work, never take another department's.
Anything else raises NotYours (the console's 403).
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


class NotYours(Refused):
    """A supervisor's edit of another department's service or rule."""

    def __init__(self, what: str):
        super().__init__("not-yours", f"not your department's {what}")


def _rule_departments(session: Session, service: ServiceType) -> set[int]:
    return set(
        session.scalars(
            select(RoutingRule.department_id).where(RoutingRule.service_type_id == service.id)
        )
    )


def may_open(session: Session, actor: Clerk, service: ServiceType) -> bool:
    """Whether the actor may open the service's page (its department routes some of it)."""
    return actor.role == "admin" or actor.department_id in _rule_departments(session, service)


def may_edit_texts(session: Session, actor: Clerk, service: ServiceType) -> bool:
    """Whether the actor may change the service's texts and SLA."""
    if actor.role == "admin":
        return True
    return _rule_departments(session, service) == {actor.department_id}


def services_for(session: Session, actor: Clerk) -> list[ServiceType]:
    """The services the actor may open, by code."""
    query = select(ServiceType).order_by(ServiceType.code)
    if actor.role != "admin":
        query = query.where(
            ServiceType.id.in_(
                select(RoutingRule.service_type_id).where(
                    RoutingRule.department_id == actor.department_id
                )
            )
        )
    return list(session.scalars(query))


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
    session: Session,
    service: ServiceType,
    scope: str,
    code: str,
    department: str | None,
    actor: Clerk | None = None,
) -> list[Handover]:
    """The areas that would change hands if the rule (scope, code) sent `service` to
    `department` (None: the rule is removed). Refuses (Unhandled) a change that leaves
    an area without a department, and unknown scopes or departments; and (NotYours) a
    supervisor `actor`'s change of another department's rule or areas."""
    code = _check_scope(session, scope, code)
    if department and not session.scalar(
        select(Department.id).where(Department.code == department)
    ):
        raise Refused("department", f"unknown department {department!r}", department=department)
    areas = _areas(session)
    rules = _rules(session, service)
    rules_before = dict(rules)
    before = handlers(rules, areas)
    if department:
        rules[(scope, code)] = department
    elif (scope, code) in rules:
        del rules[(scope, code)]
    else:
        raise Refused("no-rule", "there is no such rule to remove")
    after = handlers(rules, areas)
    if actor is not None and actor.role != "admin":
        _check_own(actor, rules_before.get((scope, code)), before, after)
    uncovered = [a for a, d in after.items() if d is None and before[a] is not None]
    if uncovered:
        raise Unhandled(uncovered)
    return [Handover(a, before[a], after[a]) for a in before if before[a] != after[a]]


def _check_own(actor: Clerk, current: str | None, before: dict, after: dict) -> None:
    own = actor.department.code if actor.department is not None else None
    if current is not None and current != own:
        raise NotYours("rule")
    if any(before[a] != own for a in before if before[a] != after[a]):
        raise NotYours("areas")


def save_rule(
    session: Session,
    actor: Clerk,
    service: ServiceType,
    scope: str,
    code: str,
    department: str | None,
) -> list[Handover]:
    """Apply the previewed change (checked again: the rules may have moved meanwhile)."""
    changes = preview(session, service, scope, code, department, actor)
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
    if not may_edit_texts(session, actor, service):
        raise NotYours("service")
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
