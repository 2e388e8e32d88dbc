"""Migration 0013 (issue 14 items 5-6) on a fresh SQLite file and a fresh PostgreSQL database: down
from head to 0012 drops exactly the alert and availability tables, up again restores them with the
partial unique index that keeps one open alert per kiosk and rule."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from central.db.base import make_engine
from central.migrate import alembic_config, upgrade
from central.web.testkit import fresh_postgres

TABLES = {"fleet_alerts", "availability_intervals"}


def shape(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        names = set(found.get_table_names())
        unique = {i["name"] for i in found.get_indexes("fleet_alerts") if i["unique"]} if (
            "fleet_alerts" in names) else set()  # fmt: skip
        return names, unique
    finally:
        engine.dispose()


def round_trip(url: str) -> None:
    upgrade(url)
    at_head, unique = shape(url)
    assert unique == {"uq_fleet_alerts_open"}
    command.downgrade(alembic_config(url), "0012")
    assert at_head - shape(url)[0] == TABLES  # exactly its two tables, nothing else
    upgrade(url)
    assert shape(url) == (at_head, unique)


def test_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_on_postgresql() -> None:
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: the PostgreSQL case SKIPPED")
        round_trip(url)
