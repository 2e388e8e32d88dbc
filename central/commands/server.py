"""``kiosk-central migrate`` and ``kiosk-central serve``."""

from __future__ import annotations

import argparse
import logging

from central.commands import add_db_option, db_url, fail


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    migrate = subparsers.add_parser("migrate", help="bring the database schema up to date")
    add_db_option(migrate)
    migrate.set_defaults(func=run_migrate)

    serve = subparsers.add_parser("serve", help="run the central service (migrates first)")
    add_db_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--catalogue", default=None, help="service definitions directory")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(func=run_serve)


def _migrate(url: str) -> str | None:
    from sqlalchemy.exc import SQLAlchemyError

    from central.migrate import upgrade

    try:
        upgrade(url)
    except SQLAlchemyError as exc:
        return f"cannot migrate the database: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def _purge_keys(url: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from central.db.base import make_engine, make_sessionmaker
    from central.db.types import utcnow
    from central.idempotency import purge_expired

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            purge_expired(session, utcnow())
    except SQLAlchemyError:
        pass  # not fatal: expired keys are also replaced when a request meets one
    finally:
        engine.dispose()


def run_migrate(args: argparse.Namespace) -> int:
    error = _migrate(db_url(args))
    if error:
        return fail(error)
    print("database schema is at head")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    import uvicorn

    url = db_url(args)
    if not args.no_migrate:
        error = _migrate(url)
        if error:
            return fail(error)
    _purge_keys(url)
    os.environ["KIOSK_CENTRAL_DB"] = url
    if args.catalogue:
        os.environ["KIOSK_CENTRAL_CATALOGUE"] = str(Path(args.catalogue).resolve())
    logging.basicConfig(level=args.log_level.upper())
    uvicorn.run(
        "central.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=False,
    )
    return 0
