"""The catalogue: departments, service types (Open311 "services"), their attributes,
and the routing rules that send a service type in a place to a department."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId
from models.i18n import Localized, pick

ATTRIBUTE_DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
RULE_SCOPES = ("area", "prefecture", "city")
# The most specific scope wins: a lower number is more specific.
SCOPE_PRECEDENCE = {"area": 0, "prefecture": 1, "city": 2}


class Department(Localized, Base):
    """A body that handles reports: a commune directorate, an arrondissement's technical
    division, or a delegated operator."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # The hour (0-23, Casablanca time; checked by domain.escalation) at which the
    # department's supervisors get the digest of what went overdue since the last one.
    digest_hour: Mapped[int] = mapped_column(Integer, default=7, server_default="7")


class ServiceType(Localized, Base):
    """A kind of problem a resident can report (an Open311 service)."""

    __tablename__ = "service_types"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_ar: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    group_fr: Mapped[str] = mapped_column(String(120))
    group_ar: Mapped[str] = mapped_column(String(120))
    group_en: Mapped[str | None] = mapped_column(String(120))
    keywords: Mapped[str] = mapped_column(Text, default="")
    sla_hours: Mapped[int] = mapped_column(Integer)
    # How far (metres) an open report of this type counts as "the same problem nearby".
    duplicate_radius_m: Mapped[int] = mapped_column(Integer, default=250, server_default="250")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    attributes: Mapped[list[ServiceAttribute]] = relationship(
        back_populates="service_type",
        order_by="ServiceAttribute.order",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def description(self, lang: str) -> str | None:
        return pick(self, "description", lang)

    def group(self, lang: str) -> str:
        return pick(self, "group", lang)


class ServiceAttribute(Base):
    """A typed question a service type asks (an Open311 service-definition attribute)."""

    __tablename__ = "service_attributes"
    __table_args__ = (
        UniqueConstraint("service_type_id", "code"),
        CheckConstraint(f"datatype IN {ATTRIBUTE_DATATYPES!r}", name="datatype"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    datatype: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=0)
    description_fr: Mapped[str] = mapped_column(Text)
    description_ar: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    # For list datatypes: [{"key": ..., "name_fr": ..., "name_ar": ..., "name_en": ...}]
    values: Mapped[list | None] = mapped_column(JSON)

    service_type: Mapped[ServiceType] = relationship(back_populates="attributes")

    def description(self, lang: str) -> str:
        return pick(self, "description", lang)


class RoutingRule(Base):
    """Send `service_type` reported in a scope (one area, one préfecture, or the whole
    city) to `department`. The most specific matching rule wins."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        UniqueConstraint("service_type_id", "scope", "scope_code"),
        CheckConstraint(f"scope IN {RULE_SCOPES!r}", name="scope"),
        CheckConstraint("(scope = 'city') = (scope_code = '')", name="scope_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(20))
    # An area code, a préfecture code, or '' for the whole city.
    scope_code: Mapped[str] = mapped_column(String(64), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    service_type: Mapped[ServiceType] = relationship()
    department: Mapped[Department] = relationship(lazy="joined")

    def describe(self) -> str:
        where = "the whole city" if self.scope == "city" else f"{self.scope} {self.scope_code}"
        return f"rule {self.id}: {self.service_type.code} in {where} -> {self.department.code}"


class CatalogueVersion(Base):
    """One row (id 1): a number bumped in the same transaction as every change to the
    catalogue (service types, attributes, areas, departments, routing rules), by the
    session listeners of citizen_api.domain.catalogue_cache. Each app process compares it
    with its catalogue copy's at most once a second, so an edit made anywhere is seen
    everywhere within seconds for one primary-key read a second."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
