"""Sub-commands of ``kiosk-central`` (see :mod:`central.cli` for the registry)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

NOT_MIGRATED = "the database schema is not up to date: run `kiosk-central migrate` first"


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL (default: $KIOSK_CENTRAL_DB or sqlite file ./var/central.db)",
    )


SUPPORTED_DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}
"""Backends central is built and tested for, with the drivers it installs (pyproject.toml)."""


class CommandError(Exception):
    """A problem a command tells in one line (``kiosk-central: …``, exit 1), never a traceback."""


def checked_db_url(url: str) -> str:
    """``url`` when central can use it, else :class:`CommandError` naming what it can use (the
    password of a URL is never repeated)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from central.db.base import normalise_url

    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        parsed = None
    backend = parsed.get_backend_name() if parsed is not None else ""
    driver = parsed.get_driver_name() if parsed is not None else ""
    if parsed is None or driver not in SUPPORTED_DRIVERS.get(backend, ()):
        shown = (
            parsed.render_as_string(hide_password=True) if parsed is not None else "(unparsable)"
        )
        raise CommandError(
            f"unsupported database URL {shown}: use sqlite:///PATH (the default is"
            " ./var/central.db) or postgresql://USER@HOST[:PORT]/DATABASE"
        )
    return url


def db_url(args: argparse.Namespace) -> str:
    from central.settings import default_db_url

    return checked_db_url(args.db or default_db_url())


def fail(message: str) -> int:
    import sys

    print(f"kiosk-central: {message}", file=sys.stderr)
    return 1


@contextmanager
def migrated_engine(args: argparse.Namespace) -> Iterator[Engine | None]:
    """The engine of ``--db`` when its schema is at head, else None (say :data:`NOT_MIGRATED`);
    disposed afterwards. An unreachable database raises ``SQLAlchemyError``."""
    from central.db.base import make_engine
    from central.migrate import is_at_head

    engine = make_engine(db_url(args))
    try:
        yield engine if is_at_head(engine) else None
    finally:
        engine.dispose()
