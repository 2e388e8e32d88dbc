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
        "targets", help="the score targets and unit costs files (config/): check them"
    )
    actions = targets.add_subparsers(dest="targets_action", required=True)
    check = actions.add_parser(
        "check", help="check the targets file; problems as file:line: key: message, exit 1"
    )
    check.add_argument("--file", default=None, help="default: targets.toml beside the catalogue")
    check.add_argument("--catalogue", default=None, help="service definitions directory")
    check.add_argument(
        "--costs", default=None, help="unit costs file (default: unit_costs.toml beside it)"
    )
    check.set_defaults(func=run_targets_check)
    sim = subparsers.add_parser(
        "simulate",
        help="record a realistic stretch of funnel sessions on every channel (bulk path), with "
        "its ground truth as JSON",
    )
    add_db_option(sim)
    sim.add_argument("--days", type=int, default=30)
    sim.add_argument("--offices", type=int, default=20)
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--last-day", default=None, help="YYYY-MM-DD (default: yesterday, London)")
    sim.add_argument("--rate", type=float, default=40.0, help="sessions a medium office starts "
                     "on a weekday (default 40)")  # fmt: skip
    sim.add_argument("--prefix", default="SIM", help="office ids: PREFIX01, PREFIX02, …")
    sim.add_argument("--truth", default=None, help="default: simulate-<seed>.json")
    sim.set_defaults(func=run_simulate)


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
            from central.db.types import utcnow
            from central.measure import costs as unit_costs
            from central.measure.feedback import fold_quietly
            from central.measure.routes import offices_file
            from central.measure.zones import OfficeZones

            settings = Settings.from_env(db_url="unused")
            zones = OfficeZones.load(offices_file(settings.catalogue_dir))
            with engine.begin() as conn:  # the feedback given since the last fold
                fold_quietly(conn, zones, utcnow())
            with engine.connect() as conn:
                found = metrics(
                    conn,
                    period,
                    catalogue.catalogue if catalogue.loaded else None,
                    office=args.office,
                    service=args.service,
                )
                from central.fleet.availability import in_opening_hours

                found["kiosk_availability"] = in_opening_hours(  # issue 14 item 6
                    conn, period.first, period.last, utcnow(), args.office
                )
            costs_file = unit_costs.path_for(settings.catalogue_dir)
            costs = None
            if costs_file.is_file():
                try:
                    costs = unit_costs.load(
                        costs_file, catalogue.catalogue if catalogue.loaded else None
                    )
                except unit_costs.CostsError as exc:
                    return fail(f"unit costs: {exc.problems[0]} (kiosk-central targets check)")
            unit_costs.annotate(found, costs)
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
    from central.measure import costs as unit_costs
    from central.measure.targets import TargetsError, load, path_for
    from central.settings import Settings

    settings = Settings.from_env(db_url="unused")
    directory = Path(args.catalogue) if args.catalogue else settings.catalogue_dir
    path = Path(args.file) if args.file else path_for(directory)
    catalogue = CatalogueService.load(directory)
    if not catalogue.loaded:
        print(f"{directory}: catalogue not loaded, services not checked", file=sys.stderr)
    known = catalogue.catalogue if catalogue.loaded else None
    problems = []
    try:
        found = load(path, known)
    except TargetsError as exc:
        problems += exc.problems
    costs_path = Path(args.costs) if args.costs else unit_costs.path_for(directory)
    if costs_path.is_file() or args.costs:
        try:
            costs = unit_costs.load(costs_path, known)
        except unit_costs.CostsError as exc:
            problems += exc.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: {len(found.targets)} targets, no problems")
    if costs_path.is_file():
        print(f"{costs_path}: unit costs of {len(costs.channels)} channels in {costs.currency},"
              " no problems")  # fmt: skip
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    import re
    from datetime import date, timedelta
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from sqlalchemy.exc import SQLAlchemyError

    from central.catalogue_service import CatalogueService
    from central.db.types import utcnow
    from central.measure.routes import offices_file
    from central.measure.simulate import simulate
    from central.measure.zones import OfficeZones
    from central.settings import Settings

    now = utcnow()
    today = now.astimezone(ZoneInfo("Europe/London")).date()
    try:
        last = date.fromisoformat(args.last_day) if args.last_day else today - timedelta(days=1)
    except ValueError:
        return fail(f"--last-day {args.last_day!r}: expected YYYY-MM-DD")
    if last > today:
        return fail("--last-day is in the future: nothing can have happened then")
    if not 1 <= args.days <= 400 or not 1 <= args.offices <= 99 or args.rate < 0:
        return fail("--days 1..400, --offices 1..99 and --rate >= 0")
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", args.prefix):
        return fail("--prefix: 1 to 10 capital letters or digits, a letter first")
    settings = Settings.from_env(db_url="unused")
    catalogue = CatalogueService.load(settings.catalogue_dir)
    if not catalogue.loaded:
        return fail(f"the catalogue in {settings.catalogue_dir} does not load: {catalogue.error}")
    zones = OfficeZones.load(offices_file(settings.catalogue_dir))
    truth = Path(args.truth or f"simulate-{args.seed}.json")
    try:
        with migrated_engine(args) as engine:
            if engine is None:
                return fail(NOT_MIGRATED)
            found = simulate(
                engine,
                catalogue.catalogue,
                zones,
                days=args.days,
                offices=args.offices,
                seed=args.seed,
                last_day=last,
                now=now,
                truth=truth,
                prefix=args.prefix,
                rate=args.rate,
            )
    except SQLAlchemyError as exc:
        return fail(f"cannot record: {type(exc).__name__}")
    print(
        f"{found['sessions']} sessions, {found['events']} events ({found['accepted']} new,"
        f" {found['duplicates']} already there) in {len(found['offices'])} offices,"
        f" {found['first_day']} to {found['last_day']}; ground truth in {truth}"
    )
    return 0
