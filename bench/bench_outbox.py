"""Outbox drain rate: an hour's worth of queued kiosk traffic delivered to central, in events/s.

A kiosk that was offline for an hour holds N cases, each: create (the "created" event), then
"submitted" and "help_requested" (one batch). The relay drains them into a real `kiosk-central serve`
on PostgreSQL (a fresh database on 127.0.0.1:5432) and on SQLite, with 1 and 4 delivery workers.
Prints events/s beside the goal (≥ 300 events/s); figures only, nothing asserted. The machine is
shared (2 cores): the central service, the relay and this script compete for them.

    .venv/bin/python bench/bench_outbox.py [--cases 700] [--workers 1 4] [--no-postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import demo_stack  # noqa: E402

from kiosk.link import CentralClient  # noqa: E402
from kiosk.outbox import Outbox, Relay, RowCipher  # noqa: E402
from kiosk.runtime.cases import CaseDesk  # noqa: E402
from kiosk.session import SessionKind, Submission  # noqa: E402

GOAL = 300.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
EVENTS_PER_CASE = 3


def answers() -> dict[str, object]:
    from datetime import date, timedelta

    return {
        "full_name": "Ann Example", "ni_number": "AB123456C", "date_of_birth": "1980-04-02",
        "address_line_1": "1 High Street", "town": "Cardiff", "postcode": "CF10 1AA",
        "date_moved": (date.today() - timedelta(days=20)).isoformat(),
        "others_on_benefits": False, "contact_by": "post",
    }  # fmt: skip


def fill(outbox: Outbox, office: str, cases: int) -> None:
    desk = CaseDesk(outbox, None, office)
    sub = Submission("change-of-address", "en", SessionKind.CITIZEN, None, answers(), ())
    for _ in range(cases):
        case = desk.submit(sub)
        desk.ask_staff(case, sub)


def drain(folder: Path, central: demo_stack.Central, cases: int, workers: int) -> float:
    outbox = Outbox(folder / f"outbox-{workers}.sqlite3", RowCipher(central.device_token, "bench"))
    fill(outbox, central.office, cases)
    client = CentralClient(central.url, central.device_token, timeout_s=10, retries=2)
    relay = Relay(outbox, client, workers=workers, backoff_base_s=0.05, backoff_cap_s=0.5)
    started = time.perf_counter()
    while outbox.depth():
        relay.run_once()
    elapsed = time.perf_counter() - started
    relay.stop()
    dead = len(outbox.dead_letters())
    outbox.close()
    if dead:
        print(f"   WARNING: {dead} rows refused by central (see kiosk outbox)")
    return cases * EVENTS_PER_CASE / elapsed


def run_backend(label: str, db_url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stack = demo_stack.Stack(folder)
        port = demo_stack.free_port()
        central = demo_stack.Central(f"http://127.0.0.1:{port}", db_url, port, "BENCH")
        try:
            demo_stack.serve_central(stack, central, ROOT / "config" / "services")
            central.device_token = demo_stack.register_device(central)
            for workers in args.workers:
                rates = [drain(folder / f"r{i}", central, args.cases, workers)
                         for i in range(args.repeat)]  # fmt: skip
                rate = statistics.median(rates)
                print(
                    f"{label:10} workers={workers}  {args.cases * EVENTS_PER_CASE} events  "
                    f"median {rate:7.1f} events/s  ({rate / GOAL:.2f}× the goal of {GOAL:.0f})"
                )
        finally:
            stack.close()


def fresh_pg_database() -> str | None:
    try:
        import psycopg

        name = f"omnikiosk_bench_{int(time.time())}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    except Exception as exc:  # noqa: BLE001 - reported loudly, the SQLite run goes on
        print(f"PostgreSQL NOT MEASURED: cannot create a database at 127.0.0.1:5432 ({exc})")
        return None


def drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=700)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"outbox drain: {args.cases} cases × {EVENTS_PER_CASE} events, goal ≥ {GOAL:.0f} events/s"
    )
    if not args.no_postgres:
        url = fresh_pg_database()
        if url:
            try:
                run_backend("postgres", url, args)
            finally:
                drop_pg_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("sqlite", f"sqlite:///{tmp}/central.db", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
