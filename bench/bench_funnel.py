"""Funnel measurement: the cost of recording events, and of reading metrics from big rollups
(prints figures, asserts nothing).

1. Recording: batches of 100 funnel events (25 sessions) posted to ``/api/v1/funnel`` in-process,
   on SQLite and PostgreSQL: events stored and folded per second, and the same batches replayed
   (all duplicates).
2. Reading (PostgreSQL): rollups for ``--offices`` offices × 8 services × 365 days × 3 channels ×
   16 counters (and the all-offices rows central keeps beside them), made in SQL; then :func:`central.measure.metrics.metrics` for a month and a quarter
   across every office, and a month of one office. Median of 3 runs each. Rows scale with offices:
   extrapolate linearly to the issue's 500 offices.

Run: ``.venv/bin/python bench/bench_funnel.py [--offices 20] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "central"))

from funnel_support import session_events  # noqa: E402
from sqlalchemy import text  # noqa: E402

from central.measure.metrics import Period, metrics  # noqa: E402
from central.web.testkit import build, fresh_postgres  # noqa: E402

BATCHES = 40


def recording(url: str, name: str) -> None:
    from fastapi.testclient import TestClient

    kit = build(url)
    client = TestClient(kit.app)
    start = kit.clock() - timedelta(hours=1)
    batches = []
    for _ in range(BATCHES):
        events = []
        for _ in range(25):
            events += session_events(
                "change-of-address", start, steps=("address", "contact"), reason="submitted"
            )
        batches.append(events)
    headers = kit.auth
    t = time.perf_counter()
    for events in batches:
        assert (
            client.post("/api/v1/funnel", json={"events": events}, headers=headers).status_code
            == 200
        )
    new = time.perf_counter() - t
    t = time.perf_counter()
    for events in batches:
        client.post("/api/v1/funnel", json={"events": events}, headers=headers)
    replay = time.perf_counter() - t
    n = BATCHES * 100
    print(f"{name}: record {n / new:,.0f} events/s ({new / BATCHES * 1000:.1f} ms per batch of 100);"
          f" replayed {n / replay:,.0f} events/s")  # fmt: skip


FILL = """
INSERT INTO funnel_rollups (day, office, service_id, channel, metric, key, value)
SELECT DATE '2026-01-01' + d, CASE WHEN o = 0 THEN '*' ELSE 'OFFICE' || lpad(o::text, 3, '0') END,
       'service-' || s, c, m.metric,
       m.key, 1 + (d * 7 + o * 13 + s) % 40
FROM generate_series(0, 364) d, generate_series(0, :offices) o, generate_series(1, 8) s,
     unnest(ARRAY['kiosk', 'web', 'assisted']) c,
     (VALUES ('started', ''), ('ended', 'submitted'), ('ended', 'idle_wipe'),
             ('ended', 'back_to_start'), ('step', 'a'), ('step', 'b'), ('step', 'c'),
             ('step', 'd'), ('step', 'check_answers'), ('duration', 'submitted:05'),
             ('duration', 'submitted:06'), ('duration', 'submitted:07'),
             ('duration', 'submitted:08'), ('duration_ms', 'submitted'),
             ('duration_ms', 'idle_wipe'), ('feature', 'large_text')) AS m(metric, key)
"""


def reading(url: str, offices: int) -> None:
    kit = build(url)
    t = time.perf_counter()
    with kit.engine.begin() as conn:
        conn.execute(text(FILL), {"offices": offices})
        conn.execute(text("ANALYZE funnel_rollups"))
        rows = conn.execute(text("SELECT COUNT(*) FROM funnel_rollups")).scalar()
    print(f"postgresql: {rows:,} rollup rows for {offices} offices made in "
          f"{time.perf_counter() - t:.0f} s")  # fmt: skip
    for label, period, office in (
        ("a month, every office", "2026-06", None),
        ("a quarter, every office", "2026-Q2", None),
        ("a month, one office", "2026-06", "OFFICE001"),
        ("a day, every office", "2026-06-15", None),
    ):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            with kit.engine.connect() as conn:
                metrics(conn, Period.parse(period), office=office)
            times.append(time.perf_counter() - t)
        print(f"postgresql: metrics for {label}: {statistics.median(times) * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--offices", type=int, default=20)
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            recording(f"sqlite:///{folder}/central.db", "sqlite")
    if args.only != "sqlite":
        with fresh_postgres() as url:
            if url is None:
                print("postgresql: unreachable, SKIPPED")
                return 0
            recording(url, "postgresql")
        with fresh_postgres() as url:
            assert url is not None
            reading(url, args.offices)
    return 0


if __name__ == "__main__":
    sys.exit(main())
