"""``kiosk-central report --period P [--office X] [--service S] --format csv|json``.

Reads the rollups only (never the raw events), so a month's report for every office is a single
``GROUP BY`` however many sessions it counts. ``csv`` is the open-data table (small counts
suppressed: :mod:`central.measure.report`); ``json`` is every metric, unsuppressed, for staff.
Exit 0 on success, 1 with one line on a bad period or an unreadable or unmigrated database.
"""

from __future__ import annotations

import argparse
import json
import sys

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = subparsers.add_parser(
        "report", help="a period's funnel metrics per service and channel (CSV open data or JSON)"
    )
    add_db_option(cmd)
    cmd.add_argument(
        "--period", required=True, help="2026-11-30 (day), 2026-W48, 2026-11 or 2026-Q4"
    )
    cmd.add_argument("--office", default=None, help="one office (default: every office)")
    cmd.add_argument("--service", default=None, help="one service id (default: every service)")
    cmd.add_argument("--format", choices=("csv", "json"), default="csv")
    cmd.set_defaults(func=run_report)
    targets = subparsers.add_parser(
        "targets", help="the score targets file (config/targets.toml): check it"
    )
    actions = targets.add_subparsers(dest="targets_action", required=True)
    check = actions.add_parser(
        "check", help="check the targets file; problems as file:line: key: message, exit 1"
    )
    check.add_argument("--file", default=None, help="default: targets.toml beside the catalogue")
    check.add_argument("--catalogue", default=None, help="service definitions directory")
    check.set_defaults(func=run_targets_check)


def run_report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from central.catalogue_service import CatalogueService
    from central.measure import report
    from central.measure.metrics import Period, metrics
    from central.settings import Settings

    try:
        period = Period.parse(args.period)
    except ValueError as exc:
        return fail(str(exc))
    catalogue = CatalogueService.load(Settings.from_env(db_url="unused").catalogue_dir)
    try:
        with migrated_engine(args) as engine:
            if engine is None:
                return fail(NOT_MIGRATED)
            with engine.connect() as conn:
                found = metrics(
                    conn,
                    period,
                    catalogue.catalogue if catalogue.loaded else None,
                    office=args.office,
                    service=args.service,
                )
    except SQLAlchemyError as exc:
        return fail(f"cannot read the rollups: {type(exc).__name__}")
    if args.format == "json":
        print(json.dumps(found, indent=1))
    else:
        sys.stdout.write(report.to_csv(report.open_data(report.table(found))))
    return 0


def run_targets_check(args: argparse.Namespace) -> int:
    """Every problem of the targets file, one line each (exit 1), or how many targets (exit 0).
    Services are checked against the catalogue when it loads."""
    from pathlib import Path

    from central.catalogue_service import CatalogueService
    from central.measure.targets import TargetsError, load, path_for
    from central.settings import Settings

    settings = Settings.from_env(db_url="unused")
    directory = Path(args.catalogue) if args.catalogue else settings.catalogue_dir
    path = Path(args.file) if args.file else path_for(directory)
    catalogue = CatalogueService.load(directory)
    if not catalogue.loaded:
        print(f"{directory}: catalogue not loaded, services not checked", file=sys.stderr)
    try:
        found = load(path, catalogue.catalogue if catalogue.loaded else None)
    except TargetsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"{path}: {len(found.targets)} targets, no problems")
    return 0
