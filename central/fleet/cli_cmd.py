"""``kiosk-central fleet [--office X] [--json]``: the fleet view in a terminal, for a monitoring check;
``kiosk-central enrol-code --office X [--name N]``: a single-use enrolment code for a new kiosk.

One line per kiosk needing attention (silent, never seen, device fault, outbox backlog), then the
counts. Exit 0 when every kiosk is OK, 1 when any needs attention, 2 when the database cannot be
read — what a Nagios-style or systemd check wants. ``--json`` prints every kiosk.
"""

from __future__ import annotations

import argparse
import json

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = subparsers.add_parser(
        "fleet", help="kiosks needing attention (exit 1 if any), from their heartbeats"
    )
    add_db_option(cmd)
    cmd.add_argument("--office", default=None, help="one office (default: every office)")
    cmd.add_argument("--json", action="store_true", help="every kiosk as JSON")
    cmd.set_defaults(func=run_fleet)

    enrol = subparsers.add_parser(
        "enrol-code", help="make a single-use enrolment code (24 h) for a new kiosk; prints it once"
    )
    add_db_option(enrol)
    enrol.add_argument("--office", required=True)
    enrol.add_argument(
        "--name", default=None, help="the kiosk's name (enrolling again replaces it)"
    )
    enrol.add_argument("--json", action="store_true", help="print {id, code, office, ...} as JSON")
    enrol.add_argument("--no-qr", action="store_true", help="the typed code only")
    enrol.set_defaults(func=run_enrol_code)

    send = subparsers.add_parser(
        "command", help="queue a remote command for a kiosk (delivered with its next heartbeat)"
    )
    add_db_option(send)
    send.add_argument("device_id")
    send.add_argument("kind", help="restart, reboot, diagnostics, test_slip, out_of_service, "
                      "in_service, fetch_config or screenshot")  # fmt: skip
    send.add_argument("--message-en", default="", help="out_of_service: the English message")
    send.add_argument("--message-cy", default="", help="out_of_service: the Welsh message")
    send.set_defaults(func=run_command)

    listing = subparsers.add_parser("commands", help="a kiosk's remote commands and their states")
    add_db_option(listing)
    listing.add_argument("device_id")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_commands)


def run_fleet(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from central.db.base import make_sessionmaker
    from central.db.types import utcnow
    from central.fleet import health

    try:
        with migrated_engine(args) as engine:
            if engine is None:
                fail(NOT_MIGRATED)
                return 2
            with make_sessionmaker(engine)() as session:
                kiosks = health.fleet(session, args.office, utcnow())
    except SQLAlchemyError as exc:
        fail(f"cannot read the fleet: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return 2
    needing = [k for k in kiosks if k.status != "ok"]
    if args.json:
        print(json.dumps([_as_json(k) for k in kiosks], indent=1))
    else:
        for k in needing:
            seen = k.last_seen.strftime("%Y-%m-%d %H:%M:%S UTC") if k.last_seen else "never"
            problems = "; ".join(k.problems)
            print(f"{k.label:15s} {k.office:12s} {k.device_id} ({k.name}), last heartbeat {seen}"
                  + (f", outbox {k.outbox_depth}" if k.status == "backlog" else "")
                  + (f": {problems}" if problems else ""))  # fmt: skip
        counts = ", ".join(f"{n} {label.lower()}" for _, label, n in health.summary(kiosks))
        print(f"{len(kiosks)} kiosk(s){': ' + counts if counts else ''}")
    return 1 if needing else 0


def _as_json(k) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        "device_id": k.device_id,
        "name": k.name,
        "office": k.office,
        "status": k.status,
        "last_seen": k.last_seen.isoformat() if k.last_seen else None,
        "software_version": k.software_version or None,
        "outbox_depth": k.outbox_depth,
        "problems": list(k.problems),
    }


def run_enrol_code(args: argparse.Namespace) -> int:
    from central.db.base import make_sessionmaker, session_scope
    from central.db.types import utcnow
    from central.fleet import enrolment

    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        try:
            with session_scope(make_sessionmaker(engine)) as session:
                made = enrolment.make_code(session, args.office, args.name, "cli", utcnow())
        except ValueError as exc:
            return fail(str(exc))
    if args.json:
        print(json.dumps({"id": made.id, "code": made.code, "office": made.office,
                          "name": made.name, "expires_at": made.expires_at.isoformat()}))  # fmt: skip
        return 0
    qr = None if args.no_qr else enrolment.qr_text(made.code)
    if qr:
        print(qr)
    print(f"enrolment code: {made.code}")
    print(f"office:         {made.office}" + (f", kiosk {made.name}" if made.name else ""))
    print(f"valid until:    {made.expires_at:%Y-%m-%d %H:%M} UTC, for one kiosk")
    print(f"On the new kiosk: kiosk enrol {made.code}")
    return 0


def run_command(args: argparse.Namespace) -> int:
    from central.db.base import make_sessionmaker
    from central.db.types import utcnow
    from central.fleet import commands

    message = {"message": {"en": args.message_en, "cy": args.message_cy}}
    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        with make_sessionmaker(engine)() as session:
            try:
                command = commands.queue(
                    session, args.device_id, args.kind,
                    message if args.kind == "out_of_service" else {}, "cli", utcnow(),
                )  # fmt: skip
                command_id = command.id
            except commands.CommandRefused as exc:
                session.commit()  # a refusal is audited
                return fail(str(exc))
            session.commit()
    print(f"queued {command_id} ({args.kind}) for {args.device_id}")
    return 0


def run_commands(args: argparse.Namespace) -> int:
    from central.db.base import make_sessionmaker
    from central.db.types import utcnow
    from central.fleet import commands

    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        with make_sessionmaker(engine)() as session:
            commands.expire(session, utcnow())
            session.commit()
            rows = [
                {"id": c.id, "kind": c.kind, "state": c.state, "requested_by": c.requested_by,
                 "queued_at": c.queued_at.isoformat(), "result": c.result}
                for c in commands.for_device(session, args.device_id)
            ]  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            print(f"{r['queued_at'][:19]}  {r['id']}  {r['kind']:14s} {r['state']:9s} "
                  f"{r['requested_by']}  {json.dumps(r['result']) if r['result'] else ''}")  # fmt: skip
    return 0
