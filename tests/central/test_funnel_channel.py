"""Central's own channels record their sessions with central.measure.channel (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from central.db.base import make_sessionmaker, session_scope
from central.measure.channel import Attempt, Where, begin, end, reach
from central.measure.metrics import Period, metrics


def test_a_web_and_a_counter_session_and_an_abandoned_draft(engine, app, office) -> None:  # type: ignore[no-untyped-def]
    catalogue, zones = app.state.catalogue.catalogue, app.state.office_zones
    start = datetime(2025, 8, 4, 22, 50, tzinfo=UTC)  # 23:50 in London (BST): 4 August

    def where(at: datetime) -> Where:
        return Where(office, catalogue, zones, at)

    web = Attempt.new("change-of-address", "web", start)
    assert Attempt.from_dict(web.as_dict()) == web
    counter = Attempt.new("proof-of-benefit", "counter", start)
    left = Attempt.new("change-of-address", "web", start)
    with session_scope(make_sessionmaker(engine)) as session:
        conn = session.connection()
        assert begin(conn, web, where(start), language="cy", features=("keyboard",)).accepted == 1
        assert reach(conn, web, where(start + timedelta(minutes=2)), "where").accepted == 1
        assert end(conn, web, where(start + timedelta(minutes=15)), "submitted").accepted == 1
        begin(conn, counter, where(start))
        end(conn, counter, where(start + timedelta(minutes=4)), "submitted")
        begin(conn, left, where(start))
        reach(conn, left, where(start), "where")
        wrong = reach(conn, left, where(start), "no-such-step")
        assert wrong.accepted == 0 and wrong.refused[0].reason == "unknown_step"
        assert end(conn, left, where(start + timedelta(days=30)), "abandoned_web").accepted == 1
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2025-08-04"), catalogue, office=office)["services"]
    web_row = found["change-of-address"]["channels"]["web"]
    assert web_row["started"] == 2 and web_row["ended"] == {"abandoned_web": 1, "submitted": 1}
    assert web_row["completion_rate"] == 0.5
    assert web_row["median_s"] == 750.0  # one session of 15 min: rank 0.5 in the (600, 900] band
    assert web_row["features"] == {"keyboard": 1} and web_row["languages"] == {"cy": 1}
    assert [s["reached"] for s in web_row["drop_off"]] == [2, 0]
    everything = found["proof-of-benefit"]
    assert everything["channels"]["counter"]["completed"] == 1
    assert everything["digital_take_up"] == 0.0  # the counter is not a digital channel
