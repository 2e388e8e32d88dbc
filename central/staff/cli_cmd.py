"""``kiosk-central add-staff``: create a staff, technician or admin account;
``kiosk-central unlock-staff USERNAME``: lift the lockout that wrong passwords put on a username.

The password is read from ``--password-stdin`` (scripts) or asked twice without echo (a terminal);
never from an argument, which would land in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine
from central.staff.models import ROLES


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    add = subparsers.add_parser("add-staff", help="create a staff/technician/admin account")
    add_db_option(add)
    add.add_argument("--username", required=True)
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--office", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=run)
    unlock = subparsers.add_parser(
        "unlock-staff", help="lift a staff username's lockout after wrong passwords"
    )
    add_db_option(unlock)
    unlock.add_argument("username")
    unlock.set_defaults(func=run_unlock)


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        return None
    return first


def run(args: argparse.Namespace) -> int:
    from central.db.base import make_sessionmaker, session_scope
    from central.staff.auth import StaffError, create_user

    password = _password(args)
    if password is None:
        return fail("no password: use --password-stdin, or a terminal and type it twice the same")
    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        try:
            with session_scope(make_sessionmaker(engine)) as session:
                user = create_user(session, args.username, password, args.role, args.office)
                user_id = user.id
        except StaffError as exc:
            return fail(str(exc))
    print(
        f"created {args.role} {args.username.strip().lower()} ({user_id}) in office {args.office.strip()}"
    )
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from central.db.base import make_sessionmaker, session_scope
    from central.staff.auth import unlock
    from central.staff.models import StaffUser

    username = args.username.strip().lower()
    with migrated_engine(args) as engine:
        if engine is None:
            return fail(NOT_MIGRATED)
        with session_scope(make_sessionmaker(engine)) as session:
            known = session.scalar(select(StaffUser.id).where(StaffUser.username == username))
            if known is None:
                return fail(f"no staff account {username!r}")
            lifted = unlock(session, username)
    print(f"unlocked {username}" if lifted else f"{username} had no failed logins to forget")
    return 0
