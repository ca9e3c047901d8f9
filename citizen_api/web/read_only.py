"""Requests that only read run outside a transaction, on PostgreSQL.

psycopg opens a transaction with a round trip of its own (BEGIN) before a connection's
first query, and the session ends it with another (ROLLBACK) after the request: two of
the three round trips of a one-query read. GET and HEAD requests (safe by HTTP's rules;
casa311's never write) run their queries in autocommit instead. Each statement is still
one consistent snapshot; two statements of one request may see a change made between
them, as two requests would.

A GET or HEAD request that tries to write is refused before anything reaches the
database (a programming error, not a client's). The connection leaves autocommit when
it goes back to the pool, so the next request's writes are transactional again. SQLite
opens no transaction for reads: nothing changes there.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import Session

READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
KEY = "casa311_read_only"


class WriteInReadOnlyRequest(RuntimeError):
    """A GET or HEAD request tried to write."""


def _after_begin(session: Session, _transaction, connection) -> None:
    """A session took a connection during a GET or HEAD request: no BEGIN on it. (A
    session that began before the request, as in tests sharing an app context, keeps
    its transaction.)"""
    if (
        connection.dialect.name == "postgresql"
        and has_request_context()
        and request.method in READ_ONLY_METHODS
    ):
        session.info[KEY] = True
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is not None and not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True


def _before_flush(session: Session, _context, _instances) -> None:
    """Refuse a flush during a GET or HEAD request on PostgreSQL, whether or not the
    session has begun (a flush that begins it would otherwise write in autocommit)."""
    if session.info.get(KEY) or (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and session.get_bind().dialect.name == "postgresql"
    ):
        raise WriteInReadOnlyRequest(f"a {request.method} request must not write")


def _cursor_in_transaction(conn, _cursor, _statement, _parameters, context, _many) -> None:
    """A server-side cursor (a streamed read: yield_per, stream_results) lives only
    inside a transaction: a read-only request's connection leaves autocommit for it, and
    the request's teardown ends that transaction."""
    options = context.execution_options if context is not None else {}
    if options.get("stream_results") or options.get("yield_per"):
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is not None and dbapi_connection.autocommit:
            dbapi_connection.autocommit = False


def _back_to_transactions(dbapi_connection, _record) -> None:
    """Pool checkin: the next borrower gets a transactional connection."""
    try:
        if dbapi_connection.autocommit:
            dbapi_connection.autocommit = False
    except Exception:  # a broken connection: the pool discards it anyway
        pass


def register_read_only(app: Flask, db: SQLAlchemy) -> None:
    """Run `app`'s GET and HEAD requests outside transactions (PostgreSQL only)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "checkin", _back_to_transactions):
        event.listen(engine, "checkin", _back_to_transactions)
    if not event.contains(engine, "before_cursor_execute", _cursor_in_transaction):
        event.listen(engine, "before_cursor_execute", _cursor_in_transaction)
    for name, listener in (("after_begin", _after_begin), ("before_flush", _before_flush)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

    @app.teardown_request
    def _end_read(exc):
        """End the read's (client-side) transaction, so that a session that lives on
        (an app context shared by several requests, as in tests) writes in a real one."""
        registry = db.session.registry
        if not registry.has():
            return
        session = registry()
        if session.info.pop(KEY, False) and session.in_transaction():
            if exc is None and not (session.new or session.dirty or session.deleted):
                session.commit()  # nothing to commit: no round trip, nothing expired
            else:
                session.rollback()  # what a refused write left behind
