"""Raw funnel events go after ``funnel_event_days``; the rollups (and so every metric) stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from funnel_support import session_events
from sqlalchemy import func, select

from central import retention
from central.measure.metrics import Period, metrics
from central.measure.models import FunnelEvent


def raw_count(engine, office: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        query = select(func.count()).where(FunnelEvent.office == office)
        return int(conn.scalar(query.select_from(FunnelEvent)))


def test_raw_events_are_purged_and_the_rollups_stay(client, auth, engine, office, clock, app):  # type: ignore[no-untyped-def]
    events = session_events(
        "change-of-address", clock() - timedelta(hours=1), steps=("where",), reason="submitted"
    )
    assert client.post("/api/v1/funnel", json={"events": events}, headers=auth).status_code == 200
    with engine.connect() as conn:
        before = metrics(conn, Period.parse("2026-03"), office=office)
    assert before["services"]["change-of-address"]["all"]["completed"] == 1

    done = retention.purge(engine, clock() + timedelta(days=89))
    assert raw_count(engine, office) == 3  # not yet: 89 days after arrival
    done = retention.purge(engine, clock() + timedelta(days=90, seconds=1))
    assert done["funnel_events"] >= 3 and raw_count(engine, office) == 0
    with engine.connect() as conn:
        assert metrics(conn, Period.parse("2026-03"), office=office) == before


def test_raw_events_are_kept_at_least_as_long_as_idempotency_keys() -> None:
    with pytest.raises(ValueError, match="at least 30"):
        retention.Retention(funnel_event_days=7)
