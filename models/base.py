"""Declarative base, naming convention, and the column types every model shares.

Timestamps come from the database clock (one clock for every app server), always
timezone-aware UTC in Python whichever backend stores them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, TypeDecorator, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A 64-bit key on PostgreSQL; SQLite needs exactly INTEGER for its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: casa311 stores aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class utcnow(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The database's current UTC time, optionally shifted by a whole number of hours."""

    type = UTCDateTime()
    inherit_cache = True
    name = "utcnow"

    def __init__(self, hours: int | None = None):
        args = () if hours is None else (literal(int(hours), Integer()),)
        super().__init__(*args)


@compiles(utcnow, "postgresql")
def _utcnow_pg(element, compiler, **kw):
    if len(element.clauses):
        return f"(now() + make_interval(hours => {compiler.process(element.clauses, **kw)}))"
    return "now()"


@compiles(utcnow, "sqlite")
def _utcnow_sqlite(element, compiler, **kw):
    # Six fractional digits: the layout SQLAlchemy's SQLite DATETIME binds and parses,
    # so stored values and bound parameters compare correctly as text.
    shift = ""
    if len(element.clauses):
        shift = f", {compiler.process(element.clauses, **kw)} || ' hours'"
    return f"strftime('%Y-%m-%d %H:%M:%f000', 'now'{shift})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}
