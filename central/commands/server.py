"""``kiosk-central migrate`` and ``kiosk-central serve``.

``serve`` runs one uvicorn process on SQLite and, by default, one per core (at most four) on
PostgreSQL (``--workers N`` decides explicitly; see :func:`default_workers`). Several workers share one listening socket made
here (see :func:`tcp_listener`: uvicorn's own would leave Nagle's algorithm on).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

from central.commands import NOT_MIGRATED, add_db_option, db_url, fail, migrated_engine

MAX_DEFAULT_WORKERS = 4


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    migrate = subparsers.add_parser("migrate", help="bring the database schema up to date")
    add_db_option(migrate)
    migrate.set_defaults(func=run_migrate)

    purge = subparsers.add_parser(
        "purge", help="delete expired codes, sessions and keys, and old heartbeats"
    )
    add_db_option(purge)
    purge.add_argument(
        "--heartbeat-days", type=int, default=None, help="heartbeat history kept (default 14)"
    )
    purge.set_defaults(func=run_purge)

    serve = subparsers.add_parser("serve", help="run the central service (migrates first)")
    add_db_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--catalogue", default=None, help="service definitions directory")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: 1 on SQLite; on PostgreSQL one per core, up to 4)",
    )
    serve.add_argument(
        "--trusted-proxies",
        default=None,
        metavar="ADDRS",
        help="comma-separated addresses (or CIDRs) of the load balancers whose X-Forwarded-For is"
        " believed; the client is the right-most address they did not add"
        " (default: $KIOSK_CENTRAL_TRUSTED_PROXIES, else 127.0.0.1)",
    )
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


def run_purge(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from central.db.types import utcnow
    from central.retention import Retention, purge

    try:
        keep = Retention() if args.heartbeat_days is None else Retention(args.heartbeat_days)
        with migrated_engine(args) as engine:
            if engine is None:
                return fail(NOT_MIGRATED)
            done = purge(engine, utcnow(), keep)
    except (SQLAlchemyError, ValueError) as exc:
        return fail(f"cannot purge: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    for table, rows in done.items():
        print(f"{table}: {rows} deleted")
    return 0


def _purge_at_start(url: str) -> None:
    """Retention at start, heartbeats on a time budget; a failure is not fatal (the daily timer,
    or the next start, purges)."""
    from sqlalchemy.exc import SQLAlchemyError

    from central.db.base import make_engine
    from central.db.types import utcnow
    from central.retention import START_BUDGET_S, purge

    engine = make_engine(url)
    try:
        purge(engine, utcnow(), budget_s=START_BUDGET_S)
    except SQLAlchemyError as exc:
        logging.getLogger("central").warning("purge at start failed: %s", type(exc).__name__)
    finally:
        engine.dispose()


def run_migrate(args: argparse.Namespace) -> int:
    error = _migrate(db_url(args))
    if error:
        return fail(error)
    print("database schema is at head")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    import uvicorn

    url = db_url(args)
    if not args.no_migrate:
        error = _migrate(url)
        if error:
            return fail(error)
    _purge_at_start(url)
    os.environ["KIOSK_CENTRAL_DB"] = url
    if args.catalogue:
        os.environ["KIOSK_CENTRAL_CATALOGUE"] = str(Path(args.catalogue).resolve())
    logging.basicConfig(level=args.log_level.upper())
    workers = args.workers if args.workers is not None else default_workers(url)
    print(start_line(args, url, workers), file=sys.stderr, flush=True)
    if workers <= 1:
        uvicorn.run(
            "central.asgi:app",
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=trusted_proxies(args),
        )
        return 0
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "central.asgi:app",
        host=args.host,
        port=args.port,
        workers=workers,
        log_level=args.log_level,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies(args),
    )
    try:
        listener = tcp_listener(args.host, args.port)
    except OSError as exc:
        return fail(f"cannot listen on {args.host}:{args.port}: {exc}")
    Multiprocess(config, sockets=[listener]).run()
    return 0


def trusted_proxies(args: argparse.Namespace) -> str:
    """Whose ``X-Forwarded-For`` is believed: uvicorn's proxy-headers middleware then takes the
    right-most address not in this list as the client (a client cannot forge its way past the
    balancer by sending its own header: the balancer appends, and only its hop is trusted)."""
    value = args.trusted_proxies
    if value is None:
        value = os.environ.get("KIOSK_CENTRAL_TRUSTED_PROXIES", "127.0.0.1")
    return value.strip()


def start_line(args: argparse.Namespace, url: str, workers: int) -> str:
    """The one line ``serve`` logs at start: version, address, workers, database (no password)
    and catalogue."""
    from importlib.metadata import PackageNotFoundError, version

    from sqlalchemy.engine import make_url

    try:
        ours = version("omnikiosk")
    except PackageNotFoundError:
        ours = "(not installed)"
    host = f"[{args.host}]" if ":" in args.host else args.host
    from central.settings import Settings

    catalogue = os.environ.get("KIOSK_CENTRAL_CATALOGUE") or str(Settings.catalogue_dir)
    return (
        f"kiosk-central: omnikiosk {ours} serving http://{host}:{args.port} with {workers}"
        f" worker{'s' if workers != 1 else ''}, database"
        f" {make_url(url).render_as_string(hide_password=True)}, catalogue {catalogue}"
    )


def default_workers(url: str) -> int:
    """Worker processes when ``--workers`` is not given: one on SQLite (a single writer; the
    in-process write queue of :mod:`central.db.base` only orders threads of one process); on
    PostgreSQL, which takes concurrent writers, one per core, at most :data:`MAX_DEFAULT_WORKERS`.
    Measured on a 2-core machine running PostgreSQL and the load generator too (bench_central, 50
    clients), two workers against one: case create 999-1029 against 807-814 req/s, handoff pairs
    553-549 against 402-418/s, heartbeat 1652-1691 against 1415-1454 req/s. (Before the writes
    were group-committed, a second worker had lost a third of case create.)"""
    from central.db.base import is_sqlite

    if is_sqlite(url):
        return 1
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def tcp_listener(host: str, port: int) -> socket.socket:
    """The shared listening socket for ``--workers`` > 1, made with ``IPPROTO_TCP``.

    uvicorn's own ``Config.bind_socket`` leaves the protocol at 0; accepted sockets inherit it,
    and asyncio only sets ``TCP_NODELAY`` on sockets that say ``IPPROTO_TCP`` — so every
    keep-alive request after the first waited ~40 ms for a delayed ACK (uvicorn issue #3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
