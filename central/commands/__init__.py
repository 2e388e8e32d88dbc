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


def db_url(args: argparse.Namespace) -> str:
    from central.settings import default_db_url

    return args.db or default_db_url()


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
