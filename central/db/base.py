"""Declarative base, engine and session factory shared by every table of the central service.

Why the SQLite settings: the embedded default must survive several threads (uvicorn's thread pool)
and even several processes on one file. WAL lets readers run beside the single writer; busy_timeout
makes a writer wait for the lock instead of failing at once; ``BEGIN IMMEDIATE`` takes the write lock
at the start of every transaction, so a transaction that reads then writes can never hit
SQLITE_BUSY_SNAPSHOT half-way (which busy_timeout cannot cure). Foreign keys are off by default in
SQLite, so we switch them on for every connection.

Every engine hides its SQL parameters (``hide_parameters=True``): a database error's message, and
any traceback or log line built from it, never carries the values of a statement — a citizen's
answers, a token hash.

PostgreSQL is reached through psycopg 3: ``postgresql+psycopg://user@host/db``; a bare
``postgresql://`` URL is rewritten to that driver. Pooled connections are pinged before use only
after sitting idle (:data:`PING_IDLE_S`), not at every checkout (see ``_ping_idle_connections``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
PING_IDLE_S = 1.0
"""A pooled PostgreSQL connection idle longer than this is pinged before use."""


class Base(DeclarativeBase):
    """Every table of the central service (core and C2's handoff/web/staff tables) derives from this."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalise_url(url: str) -> str:
    """Pick psycopg 3 for PostgreSQL URLs that name no driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def is_sqlite(url_or_engine: str | Engine) -> bool:
    if isinstance(url_or_engine, Engine):
        return url_or_engine.dialect.name == "sqlite"
    return make_url(normalise_url(url_or_engine)).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this service relies on (see module docstring)."""
    url = normalise_url(url)
    kwargs["hide_parameters"] = True  # never a caller's choice: parameters are personal data
    pooled = "poolclass" not in kwargs
    if not is_sqlite(url):
        if pooled:
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", 30)
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_idle_connections(engine)
        return engine

    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    is_memory = make_url(url).database in (None, "", ":memory:")
    if pooled and not is_memory:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 40)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's own transaction handling is not used).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not is_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    # In-process writer queue: threads of this process wait on a lock (woken at once when it is
    # free) instead of in SQLite's busy handler, which sleeps 1…100 ms between retries and made
    # p99 latency seconds long under 50 concurrent clients. Other processes still meet busy_timeout.
    write_lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.info["holds_write_lock"] = write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn: Any) -> None:
        if conn.info.pop("holds_write_lock", False):
            write_lock.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)

    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """``pool_pre_ping``, but only for a connection that sat in the pool for more than
    :data:`PING_IDLE_S`: a stale connection (server restarted, idle timeout) is still replaced
    before use, and a request no longer pays a round trip at every checkout (a case create
    checks out twice). A connection that dies within the window fails its request, and the
    disconnect error makes SQLAlchemy invalidate the pool; clients retry 5xx."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at <= PING_IDLE_S:
            return  # just connected, or used a moment ago
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_conn, None):
                raise DisconnectionError() from err  # the pool connects afresh
            raise


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
