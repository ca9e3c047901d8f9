"""This process's copy of the catalogue: service types (with their attributes), areas
(names, and their polygons as an area_lookup.AreaIndex), departments and routing rules.
They are small, read on every report filed or shown, and rarely change, so the hot paths
take them from here instead of a query (or a join) each.

Kept fresh three ways:
- any ORM flush in this process that adds, changes or deletes a catalogue row, or an ORM
  UPDATE/DELETE statement on one, drops the copy (again when that transaction commits):
  the session listeners that see them are attached by `install_listeners()`, which
  create_app calls;
- the same listeners bump the version stamp (models.CatalogueVersion) in that
  transaction, whichever process makes the change; each process reads the stamp (one
  primary-key read) at most every VERSION_CHECK_SECONDS and reloads its copy when the
  stamp moved, so an edit made by another process (another worker, the CLI) is seen
  within about a second of its commit;
- a copy older than TTL_SECONDS is reloaded anyway (a safety net for a change made in
  raw SQL, which bumps nothing).

Free of Flask: keyed by the database URL.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, selectinload

from citizen_api.domain.area_lookup import AreaIndex, rule_scopes
from models import Area, Department, RoutingRule, ServiceType
from models.catalogue import SCOPE_PRECEDENCE, ServiceAttribute
from models.i18n import pick

TTL_SECONDS = 300.0
VERSION_CHECK_SECONDS = 1.0
CATALOGUE_MODELS = (ServiceType, ServiceAttribute, Area, Department, RoutingRule)
_DIRTY = "casa311_catalogue_changed"


@dataclass(frozen=True, slots=True)
class NamedEntry:
    """An area or a department as the public sees it."""

    id: int
    code: str
    name_fr: str
    name_ar: str
    name_en: str | None
    prefecture_code: str | None = None

    def name(self, lang: str) -> str:
        return pick(self, "name", lang)


@dataclass(frozen=True, slots=True)
class AttributeEntry:
    """A service attribute, with what validate_attributes reads."""

    code: str
    datatype: str
    required: bool
    values: list | None


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    id: int
    code: str
    name_fr: str
    name_ar: str
    name_en: str | None
    sla_hours: int
    active: bool
    attributes: tuple[AttributeEntry, ...]

    def name(self, lang: str) -> str:
        return pick(self, "name", lang)


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """A routing rule, with what filing a report needs of it."""

    id: int
    service_type_id: int
    scope: str
    scope_code: str
    department_id: int
    service_code: str
    department_code: str

    def describe(self) -> str:  # the same words as RoutingRule.describe
        where = "the whole city" if self.scope == "city" else f"{self.scope} {self.scope_code}"
        return f"rule {self.id}: {self.service_code} in {where} -> {self.department_code}"


_READ_VERSION = text("SELECT version FROM catalogue_version WHERE id = 1")
# Insert-or-increment in one statement (PostgreSQL and SQLite alike): the row exists after
# the migration, but a database built otherwise still gets its stamp.
_BUMP_VERSION = text(
    "INSERT INTO catalogue_version (id, version) VALUES (1, 2) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_version.version + 1"
)


def stored_version(session: Session) -> int:
    """The catalogue's version stamp in the database (0 when there is no stamp yet)."""
    return session.execute(_READ_VERSION).scalar() or 0


class Catalogue:
    def __init__(self, session: Session):
        # Read first: an edit committed while the copy loads leaves it with an older stamp
        # than its contents, so the next check reloads once more, never the other way.
        self.version = stored_version(session)
        services = session.scalars(
            select(ServiceType).options(selectinload(ServiceType.attributes))
        ).all()
        self.services = {
            s.id: ServiceEntry(
                s.id,
                s.code,
                s.name_fr,
                s.name_ar,
                s.name_en,
                s.sla_hours,
                s.active,
                tuple(
                    AttributeEntry(a.code, a.datatype, a.required, a.values) for a in s.attributes
                ),
            )
            for s in services
        }
        self.services_by_code = {s.code: s for s in self.services.values()}
        rows = session.execute(
            select(
                Area.id, Area.code, Area.name_fr, Area.name_ar, Area.name_en, Area.prefecture_code
            )
        ).all()
        self.areas = {r.id: NamedEntry(*r) for r in rows}
        rows = session.execute(
            select(
                Department.id,
                Department.code,
                Department.name_fr,
                Department.name_ar,
                Department.name_en,
            )
        ).all()
        self.departments = {r.id: NamedEntry(*r) for r in rows}
        self.rules: dict[tuple[int, str, str], RuleEntry] = {}
        for r in session.execute(
            select(
                RoutingRule.id,
                RoutingRule.service_type_id,
                RoutingRule.scope,
                RoutingRule.scope_code,
                RoutingRule.department_id,
            )
        ).all():
            self.rules[r.service_type_id, r.scope, r.scope_code] = RuleEntry(
                *r, self.services[r.service_type_id].code, self.departments[r.department_id].code
            )
        self.ids_by_code = {
            "service_code": {s.code: s.id for s in self.services.values()},
            "area": {a.code: a.id for a in self.areas.values()},
            "department": {d.code: d.id for d in self.departments.values()},
        }
        self.area_index = AreaIndex.load(session)
        # Answers derived from this copy (e.g. the encoded list of services), dropped
        # with it.
        self.memo: dict = {}
        self.loaded_at = self.checked_at = time.monotonic()

    def covers(self, rows, department_ids=()) -> bool:
        """Whether every row's service type, area and department (and every department
        of `department_ids`) is in this copy."""
        return all(
            r.service_type_id in self.services
            and r.area_id in self.areas
            and r.department_id in self.departments
            for r in rows
        ) and all(d in self.departments for d in department_ids)

    def active_service(self, code: str) -> ServiceEntry | None:
        service = self.services_by_code.get(code)
        return service if service is not None and service.active else None

    def rules_for(self, service_type_id: int, area) -> list[RuleEntry]:
        """The rules that could route the service from `area` (a routing.AreaHit), most
        specific first."""
        rules = [self.rules.get((service_type_id, s, c)) for s, c in rule_scopes(area)]
        return sorted((r for r in rules if r), key=lambda r: SCOPE_PRECEDENCE[r.scope])


_catalogues: dict[str, Catalogue] = {}
_lock = threading.Lock()


def catalogue(session: Session, reload: bool = False) -> Catalogue:
    """This process's catalogue for the session's database, loaded on first use and
    reloaded when it changed here, when the database's version stamp (read at most every
    VERSION_CHECK_SECONDS) differs from the copy's, or when it is older than TTL_SECONDS.
    `reload=True` (after a miss: a row newer than the copy) reloads unless the copy is
    under a second old."""
    key = str(session.get_bind().url)
    current = _catalogues.get(key)
    now = time.monotonic()
    age = now - current.loaded_at if current is not None else None
    stale = age is None or age > TTL_SECONDS or (reload and age > 1.0)
    if not stale and now - current.checked_at > VERSION_CHECK_SECONDS:
        current.checked_at = now  # before the read: concurrent requests do not pile up
        stale = stored_version(session) != current.version
    if stale:
        with _lock:
            current = Catalogue(session)
            _catalogues[key] = current
    return current


def catalogue_covering(session: Session, rows, department_ids=()) -> Catalogue:
    """The catalogue, reloaded once if it lacks a row's service type, area or department
    (or one of `department_ids`)."""
    current = catalogue(session)
    if current.covers(rows, department_ids):
        return current
    return catalogue(session, reload=True)


def ids_for(session: Session, field: str, codes: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the catalogue entries with these codes (`field`: service_code, area or
    department), in order without repeats, and the codes that name nothing."""
    known = catalogue(session).ids_by_code[field]
    if any(code not in known for code in codes):
        known = catalogue(session, reload=True).ids_by_code[field]
    unknown = sorted(set(codes) - set(known))
    return list(dict.fromkeys(known[code] for code in codes if code in known)), unknown


def forget_catalogue() -> None:
    _catalogues.clear()


def _touches_catalogue(session: Session) -> bool:
    return any(
        isinstance(obj, CATALOGUE_MODELS)
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    )


def bump_version(session: Session) -> None:
    """Move the version stamp on, in the session's transaction."""
    session.connection().execute(_BUMP_VERSION)


def _after_flush(session, _context):
    if _touches_catalogue(session):
        session.info[_DIRTY] = True
        bump_version(session)
        forget_catalogue()


def _after_commit(session):
    if session.info.pop(_DIRTY, False):
        forget_catalogue()


def _on_orm_execute(state):
    if (state.is_update or state.is_delete) and any(
        m.class_ in CATALOGUE_MODELS for m in state.all_mappers
    ):
        state.session.info[_DIRTY] = True
        bump_version(state.session)
        forget_catalogue()


LISTENERS = (
    ("after_flush", _after_flush),
    ("after_commit", _after_commit),
    ("do_orm_execute", _on_orm_execute),
)


def install_listeners(session_class: type[Session] = Session) -> None:
    """Drop the copy when a session of `session_class` changes the catalogue. Called
    where the app is built (create_app); idempotent, so a second app changes nothing."""
    for name, listener in LISTENERS:
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
