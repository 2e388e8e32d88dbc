"""Fixtures for the central service tests, shared by every tests/central file.

``db_url`` is parametrised over SQLite and the real PostgreSQL at 127.0.0.1:5432 (a fresh database
``kiosk_test_<random>`` per session, dropped afterwards). PostgreSQL unreachable → those params SKIP
with the reason (visible in -ra). Both databases are migrated with Alembic from empty.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from central_support import VALIDATOR, make_test_catalogue
from fastapi.testclient import TestClient

from central.app import create_app
from central.auth.devices import register_device
from central.catalogue_service import CatalogueService
from central.db.base import make_engine, make_sessionmaker, session_scope
from central.migrate import upgrade
from central.settings import Settings

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres"


def _pg_reason() -> str | None:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1.0):
            return None
    except OSError as exc:
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} unreachable ({exc}); PostgreSQL params SKIPPED"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"kiosk_test_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(
            f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL reachable but CREATE DATABASE failed: {exc}; params SKIPPED")
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(
            f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database URL (both backends)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.db'}"
    else:
        url = request.getfixturevalue("pg_database")
    upgrade(url)
    return url


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))


@pytest.fixture
def office() -> str:
    """A fresh office per test, so tests sharing a database never see each other's queue."""
    return "T" + secrets.token_hex(4).upper()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(db_url=db_url, catalogue_dir=tmp_path, secret_key="test-secret")


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, object]]:
    cache: dict[str, object] = {}
    yield cache
    for engine in cache.values():
        engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def engine(db_url: str, engines: dict[str, object]):  # type: ignore[no-untyped-def]
    if db_url not in engines:
        engines[db_url] = make_engine(db_url)
    return engines[db_url]


@pytest.fixture
def app(settings: Settings, engine, clock: FakeClock):  # type: ignore[no-untyped-def]
    app = create_app(
        settings,
        engine=engine,
        catalogue=CatalogueService(make_test_catalogue(), validator=VALIDATOR),
        clock=clock,
    )
    # Attempt limits live in the database, which tests share: each app counts in its own scope.
    scope = secrets.token_hex(8)
    for name in ("attempt_limiter", "login_lockout"):
        limiter = getattr(app.state, name, None)
        if limiter is not None:
            limiter.scope = scope
    return app


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    # No lifespan context: the engine is shared by the session and disposed at its end.
    yield TestClient(app, raise_server_exceptions=False)


def add_device(engine, office: str, name: str = "kiosk 1") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with session_scope(make_sessionmaker(engine)) as session:
        device, token = register_device(session, office, name)
        return device.id, token


@pytest.fixture
def make_device(engine):  # type: ignore[no-untyped-def]
    """``make_device(office, name="kiosk 1") -> (device id, token)``."""
    return lambda office, name="kiosk 1": add_device(engine, office, name)


@pytest.fixture
def device(engine, office: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(device id, bearer token) of a kiosk in ``office``."""
    return add_device(engine, office)


@pytest.fixture
def auth(device: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {device[1]}"}


@pytest.fixture(scope="module")
def module_office() -> str:
    return "M" + secrets.token_hex(4).upper()


@pytest.fixture(scope="module")
def module_auth(db_url: str, engines: dict[str, object], module_office: str) -> dict[str, str]:
    if db_url not in engines:
        engines[db_url] = make_engine(db_url)
    _, token = add_device(engines[db_url], module_office)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff_login(engine, clock):  # type: ignore[no-untyped-def]
    """``staff_login(office, role="staff") -> (staff id, cookies)``: a logged-in member of staff."""
    try:
        from central.staff.auth import COOKIE, create_user, login
    except ImportError as exc:  # the staff channel is another part of the project
        pytest.skip(f"staff channel (central.staff.auth) not importable: {exc}")

    def make(office: str, role: str = "staff") -> tuple[str, dict[str, str]]:
        name = "u" + secrets.token_hex(5)
        with session_scope(make_sessionmaker(engine)) as session:
            user = create_user(session, name, "correct horse battery", role, office)
            session.flush()
            user_id = user.id
        with session_scope(make_sessionmaker(engine)) as session:
            found = login(session, name, "correct horse battery", clock())
            assert found is not None
            token = found[1]
        return user_id, {COOKIE: token}

    return make
