"""The performance page with its scores over a simulated month (prints figures, asserts nothing).

On a fresh PostgreSQL database (SQLite with ``--sqlite``): ``kiosk-central simulate``'s bulk path
makes ``--days`` days × ``--offices`` offices of funnel sessions on every channel (events/s
recorded); then ``/staff/performance`` is requested in-process as an analyst — the month across
every office and one office's month, each with the Office/Service Scores against
``config/targets.toml`` and their day/week/month/quarter trend (5 metric reads a page) and the
feedback/handoff fold on the way — ``--runs`` times each after one warm-up request: median and
p95 in ms.

Run: ``.venv/bin/python bench/bench_scores.py [--days 30] [--offices 20] [--runs 20] [--sqlite]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from central.catalogue_service import CatalogueService  # noqa: E402
from central.measure import targets  # noqa: E402
from central.measure.simulate import simulate  # noqa: E402
from central.web.testkit import build, fresh_postgres  # noqa: E402

SERVICES = ROOT / "config" / "services"


def run(url: str, days: int, offices: int, runs: int) -> None:
    from fastapi.testclient import TestClient

    from central.staff.auth import COOKIE, create_user, login

    kit = build(url)
    kit.app.state.catalogue = CatalogueService.load(SERVICES)
    catalogue = kit.app.state.catalogue.catalogue
    kit.app.state.targets = targets.load(ROOT / "config" / "targets.toml", catalogue)
    last = date(2026, 11, 30)
    kit.clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    began = time.perf_counter()
    truth = simulate(
        kit.engine,
        catalogue,
        kit.app.state.office_zones,
        days=days,
        offices=offices,
        seed=1,
        last_day=last,
        now=kit.clock.now,
    )
    took = time.perf_counter() - began
    print(
        f"  simulate: {truth['sessions']} sessions, {truth['events']} events in {took:.1f} s"
        f" ({truth['events'] / took:,.0f} events/s, batches of 500)"
    )
    with kit.sessions() as s:
        create_user(s, "bench", "correct horse battery", "analyst", "SIM01")
        s.commit()
    with kit.sessions() as s:
        found = login(s, "bench", "correct horse battery", kit.clock())
        s.commit()
    assert found is not None
    client = TestClient(kit.app, cookies={COOKIE: found[1]})
    month = (last - timedelta(days=1)).strftime("%Y-%m")
    for label, query in (
        ("month, every office", f"period={month}"),
        ("month, one office", f"period={month}&office=SIM01"),
        ("quarter, every office", "period=2026-Q4"),
    ):
        times = []
        client.get(f"/staff/performance?{query}")  # warm: templates compiled, plans cached
        for _ in range(runs):
            t0 = time.perf_counter()
            page = client.get(f"/staff/performance?{query}")
            times.append((time.perf_counter() - t0) * 1000)
            assert page.status_code == 200 and 'data-score="overall"' in page.text
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"  /staff/performance {label}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms"
        )
    kit.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--offices", type=int, default=20)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"SQLite, {args.days} days x {args.offices} offices")
            run(f"sqlite:///{Path(tmp) / 'b.db'}", args.days, args.offices, args.runs)
        return 0
    with fresh_postgres() as url:
        if url is None:
            print("PostgreSQL at 127.0.0.1:5432 unreachable: nothing measured")
            return 0
        print(f"PostgreSQL, {args.days} days x {args.offices} offices")
        run(url, args.days, args.offices, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
