"""How casa311 connects to its two kinds of database.

- SQLite + SpatiaLite, the embedded default: the driver must be able to load extensions,
  which the pyenv/stdlib ``sqlite3`` often cannot; ``pysqlite3`` is chosen when it can.
- PostgreSQL + PostGIS through psycopg 3.
"""

from __future__ import annotations

import os
import select
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError

SPATIALITE_HINT = (
    "SpatiaLite is not installed: install the Debian package libsqlite3-mod-spatialite "
    "(apt-get install libsqlite3-mod-spatialite) or set SPATIALITE_LIBRARY_PATH to mod_spatialite."
)


def normalize_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and pin the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def backend(url: str) -> str:
    """'sqlite' or 'postgresql'."""
    name = make_url(normalize_url(url)).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {name!r}: use sqlite:/// or postgresql://")
    return name


def sqlite_driver():
    """The first SQLite DB-API module that can load extensions."""
    try:
        from pysqlite3 import dbapi2

        return dbapi2
    except ImportError:
        pass
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    raise RuntimeError(
        "this Python's sqlite3 cannot load extensions; install pysqlite3-binary "
        "(pip install pysqlite3-binary) or a Python built with extension loading"
    )


def engine_options(url: str, statement_timeout_ms: int | None = None) -> dict:
    """Keyword arguments for ``create_engine`` (and Flask-SQLAlchemy) for this URL."""
    if backend(url) == "sqlite":
        return {"module": sqlite_driver(), "connect_args": {"timeout": 15}}
    options = "-c plan_cache_mode=force_custom_plan -c timezone=UTC"
    if statement_timeout_ms:
        options += f" -c statement_timeout={int(statement_timeout_ms)}"
    # No pool_pre_ping (a round trip per checkout): _closed_by_server below notices a
    # connection the server ended without one.
    return {
        "pool_size": 10,
        "connect_args": {"options": options, "connect_timeout": 5},
    }


def _on_sqlite_connect(dbapi_conn, _record):
    dbapi_conn.enable_load_extension(True)
    try:
        dbapi_conn.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
    except Exception as exc:  # the driver raises its own OperationalError class
        raise RuntimeError(SPATIALITE_HINT) from exc
    finally:
        dbapi_conn.enable_load_extension(False)
    cursor = dbapi_conn.cursor()
    for pragma in (
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "busy_timeout = 15000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter. Use
    # Python's, so a search for "école" finds "ÉCOLE" on both backends.
    dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _closed_by_server(dbapi_conn, _record, _proxy) -> None:
    """Pool checkout: refuse a connection the server has ended (a restart, a failover, an
    idle timeout), with no round trip. An idle PostgreSQL connection is sent nothing
    unless the server is ending it (a FATAL message, then end of file), so a socket with
    anything to read is a dead one: the pool drops it and checks out or opens another.
    (A connection that dies while in use still fails that request, with or without a
    ping; the error handlers answer 503 and the pool is renewed.)"""
    try:
        fd = dbapi_conn.fileno()
    except Exception:  # closed on our side already
        raise DisconnectionError("connection closed") from None
    if select.select([fd], [], [], 0)[0]:
        raise DisconnectionError("the server closed the connection")


def install_listeners(engine: Engine) -> Engine:
    """Make every new SQLite connection SpatiaLite-ready; check PostgreSQL connections
    at checkout for having been closed by the server."""
    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _on_sqlite_connect
    ):
        event.listen(engine, "connect", _on_sqlite_connect)
    if engine.dialect.name == "postgresql" and not event.contains(
        engine, "checkout", _closed_by_server
    ):
        event.listen(engine, "checkout", _closed_by_server)
    return engine


# Tables SpatiaLite's InitSpatialMetaData creates that geoalchemy2's filter does not know.
SPATIALITE_SYSTEM_TABLES = {
    "ElementaryGeometries",
    "KNN",
    "KNN2",
    "SpatialIndex",
    "data_licenses",
    "sql_statements_log",
}


# Indexes that only a migration describes (PostgreSQL expression indexes the models
# cannot state for both backends): see alembic/versions/0007_list_grid_index.py.
MIGRATION_ONLY_INDEXES = {"ix_service_requests_status_cell"}


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic filter: our tables only, not PostGIS's or SpatiaLite's own."""
    from geoalchemy2 import alembic_helpers

    if type_ == "index" and reflected and compare_to is None and name in MIGRATION_ONLY_INDEXES:
        return False
    if type_ == "table" and reflected and compare_to is None and name in SPATIALITE_SYSTEM_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
