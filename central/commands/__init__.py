"""Sub-commands of ``kiosk-central`` (see :mod:`central.cli` for the registry)."""

from __future__ import annotations

import argparse


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
