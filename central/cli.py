"""``kiosk-central``: the central service's command line, assembled from sub-command modules.

Registry: each module named in :data:`COMMAND_MODULES` exposes ``register(subparsers) -> None``,
which adds its sub-command(s) and sets ``func=<callable(args) -> int>`` as parser default. Modules in
:data:`OPTIONAL_COMMAND_MODULES` are used when they exist (e.g. ``central.staff.cli_cmd`` for
``add-staff``), so new commands need no edit here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = ("central.commands.server", "central.commands.devices")
OPTIONAL_COMMAND_MODULES: tuple[str, ...] = (
    "central.staff.cli_cmd",
    "central.fleet.cli_cmd",
    "central.fleet.alerts_cli",
    "central.fleet.bundle_cli",
    "central.measure.cli_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="The central case service of the kiosk runtime."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for name in OPTIONAL_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stdout)
        return 2
    from central.commands import CommandError, fail

    try:
        return int(func(args))
    except CommandError as exc:
        return fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
