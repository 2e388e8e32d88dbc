"""The fleet page with 10,000 kiosks, on SQLite and PostgreSQL (prints figures, asserts nothing).

10,000 registered kiosks in 40 offices, each with a latest heartbeat (one in seven reporting a
printer fault, some with an outbox backlog); an admin opens ``/staff/fleet`` (every office: the
counts and the kiosks needing attention) and one office's page (250 kiosks, every one listed).
Median of 5 requests each, in-process (no HTTP), with the page size. Goal: an admin's page in well
under a second; one office's at the speed of any other page.

Run: ``.venv/bin/python bench/bench_fleet_page.py [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from central.db.models import Device, DeviceStatus  # noqa: E402
from central.staff.auth import create_user  # noqa: E402
from central.web.testkit import build, fresh_postgres  # noqa: E402

KIOSKS = 10_000
OFFICES = 40
PASSWORD = "correct horse battery"


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
    with kit.sessions() as s:
        create_user(s, "ada", PASSWORD, "admin", "HQ")
        s.commit()


def _measure(label: str, url: str) -> None:
    from fastapi.testclient import TestClient

    kit = build(url)
    try:
        _fill(kit)
        client = TestClient(kit.app, follow_redirects=False)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/staff/login").text)[1]  # type: ignore[index]
        client.post("/staff/login", data={"csrf": token, "username": "ada", "password": PASSWORD})
        for name, params in (("every office", {}), ("one office", {"office": "OFFICE03"})):
            times, size = [], 0
            for _ in range(5):
                start = time.perf_counter()
                r = client.get("/staff/fleet", params=params)
                times.append((time.perf_counter() - start) * 1000)
                assert r.status_code == 200, r.status_code
                size = len(r.content)
            print(f"  {label:10s} {name:12s} median {statistics.median(times):6.0f} ms, "
                  f"{size / 1000:5.0f} kB")  # fmt: skip
    finally:
        kit.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"fleet page, {KIOSKS:,} kiosks in {OFFICES} offices (in-process, no HTTP):")
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
