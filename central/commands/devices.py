"""``kiosk-central add-device`` (prints the token once) and ``revoke-device``."""

from __future__ import annotations

import argparse

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    add = subparsers.add_parser("add-device", help="register a kiosk; prints its token once")
    add_db_option(add)
    add.add_argument("--office", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--json", action="store_true", help="print {id, office, token} as JSON")
    add.set_defaults(func=run_add)

    revoke = subparsers.add_parser("revoke-device", help="revoke a kiosk's token")
    add_db_option(revoke)
    revoke.add_argument("device_id")
    revoke.set_defaults(func=run_revoke)


def run_add(args: argparse.Namespace) -> int:
    import json

    from central.auth.devices import register_device
    from central.db.base import make_sessionmaker, session_scope

    office = args.office.strip()
    if not office or len(office) > 64 or not args.name.strip():
        return fail("--office (1-64 characters) and --name must not be empty")
    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        with session_scope(make_sessionmaker(engine)) as session:
            device, token = register_device(session, office, args.name.strip())
            device_id = device.id
    if args.json:
        print(json.dumps({"id": device_id, "office": office, "token": token}))
    else:
        print(f"device id: {device_id}")
        print(f"office:    {office}")
        print(f"token:     {token}")
        print("The token is shown only now; store it in the kiosk's config.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from central.auth.devices import revoke_device
    from central.db.base import make_sessionmaker, session_scope

    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        with session_scope(make_sessionmaker(engine)) as session:
            found = revoke_device(session, args.device_id)
    if not found:
        return fail(f"no device {args.device_id!r}")
    print(f"revoked {args.device_id}")
    return 0
