"""Routing: a point -> the smallest area containing it -> the department that handles
the service type there, by the most specific rule (area > préfecture > whole city).

The areas and rules come from this process's catalogue copy (citizen_api.domain.catalogue_cache,
which also holds the area index of citizen_api.domain.area_lookup), so routing a report costs
no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from citizen_api.domain.area_lookup import AreaHit, AreaIndex, rule_scopes
from citizen_api.domain.catalogue_cache import RuleEntry, catalogue
from models import RoutingRule


class NoRoute(Exception):
    """No routing rule sends this service type from this area anywhere."""


@dataclass(frozen=True)
class Decision:
    area: AreaHit
    rule: RuleEntry

    @property
    def reason(self) -> str:
        return f"{self.area.describe()}; {self.rule.describe()} (most specific of the rules)"


def area_index(session: Session) -> AreaIndex:
    """This process's area index for the session's database."""
    return catalogue(session).area_index


def applies_at(area: AreaHit):
    """SQL condition: a routing rule whose scope covers `area`."""
    return or_(
        *(and_(RoutingRule.scope == s, RoutingRule.scope_code == c) for s, c in rule_scopes(area))
    )


def rules_for(session: Session, service, area: AreaHit) -> list[RuleEntry]:
    """The rules that could route `service` from `area`, most specific first."""
    return catalogue(session).rules_for(service.id, area)


def route(session: Session, service, lon: float, lat: float, snap_m: float) -> Decision:
    """Decide where a report of `service` (a ServiceType or its catalogue entry) at
    (lon, lat) goes, and why."""
    hit = area_index(session).locate(lon, lat, snap_m)
    rules = rules_for(session, service, hit)
    if not rules:
        raise NoRoute(f"no department handles {service.code} in {hit.code}")
    return Decision(hit, rules[0])
