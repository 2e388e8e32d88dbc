"""Alembic environment: runs online against the URL set by :func:`central.migrate.alembic_config`."""

from __future__ import annotations

import contextlib
import importlib

from alembic import context
from sqlalchemy import pool

from central.db.base import Base, make_engine

# Make every table known to the metadata (for autogenerate); C2's model modules are optional.
for _name in (
    "central.db.models",
    "central.handoff.models",
    "central.staff.models",
    "central.measure.models",
    "central.fleet.models",
):
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module(_name)

config = context.config
target_metadata = Base.metadata


MIGRATION_LOCK = 0x6B696F736B  # "kiosk": the advisory lock every node takes to migrate
"""Several nodes started together each run ``serve``'s migration: on PostgreSQL they take this
session-level advisory lock first, so one migrates while the others wait and then find the schema
at head (alembic reads the version after the lock). SQLite has one writer anyway."""


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        locked = connection.dialect.name == "postgresql"
        if locked:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            connection.commit()  # the lock is the session's: it outlives this transaction
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if locked:
                connection.rollback()
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; pass a database URL")
run_migrations_online()
