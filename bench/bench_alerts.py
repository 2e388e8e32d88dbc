"""One fleet pass (alert rules, availability intervals, notices) over 10,000 kiosks, on SQLite and
PostgreSQL (prints figures, asserts nothing).

10,000 kiosks in 40 offices with a latest heartbeat: one in seven with a printer fault, a third
with an outbox backlog, so the first pass opens ~4,800 alerts, sends as many notices (to a channel
that only counts) and opens 10,000 availability intervals; a steady pass then changes nothing (what
``serve`` does every 30 s); a recovery pass resolves every alert. Goal: a steady pass well inside
its 30 s period.

Run: ``.venv/bin/python bench/bench_alerts.py [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, update  # noqa: E402

from central.db.models import Device, DeviceStatus  # noqa: E402
from central.fleet.alerts import run_pass  # noqa: E402
from central.web.testkit import build, fresh_postgres  # noqa: E402

KIOSKS = 10_000
OFFICES = 40


class Counter:
    name = "counter"

    def __init__(self) -> None:
        self.sent = 0

    def send(self, notice: object) -> None:
        self.sent += 1


def _fill(kit) -> None:  # type: ignore[no-untyped-def]
    now = kit.clock()
    devices = [
        {"id": f"dev_{i:05d}", "office": f"OFFICE{i % OFFICES:02d}", "name": f"kiosk {i}",
         "token_hash": "x" * 64, "created_at": now}
        for i in range(KIOSKS)
    ]  # fmt: skip
    statuses = [
        {"device_id": f"dev_{i:05d}", "received_at": now, "software_version": "1.4.0",
         "outbox_depth": i % 30,
         "device_states": {"receipt-printer": {"state": "idle" if i % 7 else "error",
                                               "faults": [] if i % 7 else [{"message": "Out of paper."}]}}}
        for i in range(KIOSKS)
    ]  # fmt: skip
    with kit.engine.begin() as conn:
        conn.execute(insert(Device), devices)
        conn.execute(insert(DeviceStatus), statuses)


def _timed(kit, channel, label: str) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = run_pass(kit.engine, kit.clock(), channels=[channel], expected_version="1.4.0")
    ms = (time.perf_counter() - start) * 1000
    print(f"    {label:9s} {ms:7.0f} ms: {result.opened} opened, {result.resolved} resolved, "
          f"{result.sent} sent, {result.intervals} intervals")  # fmt: skip


def _measure(label: str, url: str) -> None:
    kit = build(url)
    try:
        _fill(kit)
        channel = Counter()
        print(f"  {label}:")
        _timed(kit, channel, "first")
        kit.clock.advance(10)
        _timed(kit, channel, "steady")
        with kit.engine.begin() as conn:
            conn.execute(update(DeviceStatus).values(
                received_at=kit.clock() + timedelta(seconds=5), outbox_depth=0,
                device_states={"receipt-printer": {"state": "idle", "faults": []}}))  # fmt: skip
        kit.clock.advance(10)
        _timed(kit, channel, "recovery")
    finally:
        kit.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"fleet alert pass, {KIOSKS:,} kiosks in {OFFICES} offices:")
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            _measure("SQLite", f"sqlite:///{Path(tmp) / 'fleet.db'}")
    if args.only != "sqlite":
        with fresh_postgres() as url:
            if url is None:
                print("  PostgreSQL at 127.0.0.1:5432 unreachable: NOT measured")
            else:
                _measure("PostgreSQL", url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
