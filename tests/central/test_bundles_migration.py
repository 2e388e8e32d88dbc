"""Migration 0012 (issue 14 item 3) on a fresh SQLite file and a fresh PostgreSQL database: up to
head creates the three bundle tables, down from 0012 to 0011 drops them and nothing else, up again
restores head."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from central.db.base import make_engine
from central.migrate import alembic_config, upgrade
from central.web.testkit import fresh_postgres

TABLES = {"fleet_bundles", "fleet_rollouts", "device_bundles"}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def round_trip(url: str) -> None:
    upgrade(url)
    at_head = tables(url)
    config = alembic_config(url)
    command.downgrade(config, "0012")
    at_0012 = tables(url)
    command.downgrade(config, "0011")
    assert at_0012 - tables(url) == TABLES  # exactly its three tables, nothing else
    upgrade(url)
    assert tables(url) == at_head


def test_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_on_postgresql() -> None:
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: the PostgreSQL case SKIPPED")
        round_trip(url)
