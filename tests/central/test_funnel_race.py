"""The same funnel batch delivered by several requests at once (a relay retrying while its first
attempt is still in flight, or two server nodes) is counted once — on both databases."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from funnel_support import session_events
from sqlalchemy import select

from central.measure.models import FunnelRollup


def test_concurrent_duplicates_count_once(app, auth, engine, office, clock) -> None:  # type: ignore[no-untyped-def]
    start = clock() - timedelta(hours=1)
    events = []
    for _ in range(20):
        events += session_events("change-of-address", start, steps=("where",), reason="submitted")
    results: list[dict] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        client = TestClient(app)
        barrier.wait()
        response = client.post("/api/v1/funnel", json={"events": events}, headers=auth)
        assert response.status_code == 200, response.text
        results.append(response.json())

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 6
    assert sum(r["accepted"] for r in results) == len(events)
    assert sum(r["duplicates"] for r in results) == 5 * len(events)
    R = FunnelRollup.__table__
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(R.c.metric, R.c.value).where(
                    R.c.office == office, R.c.metric.in_(("started", "ended"))
                )
            ).all()
        )
    assert rows == {"started": 20, "ended": 20}
