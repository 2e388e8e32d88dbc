"""``kiosk-central alerts [--office X] [--json]``: the open fleet alerts; ``kiosk-central alerts
evaluate``: one fleet pass (rules, availability records, notices) — for a systemd timer when
``serve`` does not run the pass itself.

``alerts`` exits 0 when no alert is open, 1 when any is, 2 when the database cannot be read (what a
monitoring check wants). ``evaluate`` prints what the pass did; the channels come from
``KIOSK_CENTRAL_ALERT_*`` (:mod:`central.fleet.notify`); no secret is ever printed.
"""

from __future__ import annotations

import argparse
import json

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = subparsers.add_parser(
        "alerts", help="open fleet alerts (exit 1 if any); 'alerts evaluate' runs one pass"
    )
    add_db_option(cmd)
    cmd.add_argument("action", nargs="?", choices=["list", "evaluate"], default="list")
    cmd.add_argument("--office", default=None, help="one office (default: every office)")
    cmd.add_argument("--json", action="store_true", help="as JSON")
    cmd.set_defaults(func=run_alerts)


def run_alerts(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from central.db.types import utcnow
    from central.fleet import alerts

    try:
        with migrated_engine(args) as engine:
            if engine is None:
                fail(NOT_MIGRATED)
                return 2
            if args.action == "evaluate":
                return _evaluate(engine, args)
            with engine.connect() as conn:
                rows = alerts.open_alerts(conn, args.office)
    except SQLAlchemyError as exc:
        fail(f"cannot read the alerts: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return 2
    now = utcnow()
    if args.json:
        print(json.dumps([_as_json(r) for r in rows], indent=1))
    else:
        for r in rows:
            minutes = int((now - r.opened_at).total_seconds() // 60)
            sent = "sent" if r.open_sent_at else "held"
            print(f"{r.rule:15s} {r.office:12s} {r.device_id} ({r.name}) for {minutes} min,"
                  f" {sent}: {r.detail}")  # fmt: skip
        print(f"{len(rows)} open alert(s)")
    return 1 if rows else 0


def _evaluate(engine, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from central.db.types import utcnow
    from central.fleet import alerts
    from central.fleet.notify import AlertSettings, channels_from
    from central.settings import Settings

    settings = AlertSettings.from_env()
    for problem in settings.problems():
        print(f"kiosk-central alerts: {problem}")
    hours = alerts.hours_from_offices(Settings.from_env().catalogue_dir)
    result = alerts.run_pass(
        engine, utcnow(), hours, channels_from(settings), settings.expected_version
    )
    summary = {k: getattr(result, k) for k in ("opened", "resolved", "sent", "held", "failed")}
    summary["intervals"] = result.intervals
    if args.json:
        print(json.dumps(summary | {"errors": result.errors}))
    else:
        print(", ".join(f"{v} {k}" for k, v in summary.items()))
        for error in result.errors:
            print(f"not sent: {error}")
    return 1 if result.failed else 0


def _as_json(r) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        "id": r.id,
        "device_id": r.device_id,
        "name": r.name,
        "office": r.office,
        "rule": r.rule,
        "detail": r.detail,
        "opened_at": r.opened_at.isoformat(),
        "sent": r.open_sent_at is not None,
    }
