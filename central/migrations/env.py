"""Alembic environment: runs online against the URL set by :func:`central.migrate.alembic_config`."""

from __future__ import annotations

import contextlib
import importlib

from alembic import context
from sqlalchemy import pool

from central.db.base import Base, make_engine

# Make every table known to the metadata (for autogenerate); C2's model modules are optional.
for _name in ("central.db.models", "central.handoff.models", "central.staff.models"):
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module(_name)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; pass a database URL")
run_migrations_online()
