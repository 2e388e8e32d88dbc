"""Funnel events from the session machine, through the outbox and the relay, into a real central's
rollups (`kiosk-central serve`, SQLite): the sessions happened yesterday on the kiosk's clock and
arrive today, and they count on yesterday; a second delivery of the same rows counts nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from outbox_support import ANSWERS, kiosk_parts

from catalogue.loader import load_catalogue_strict
from kiosk.config import IdleConfig
from kiosk.link import CentralClient
from kiosk.outbox.funnel import FunnelOutbox
from kiosk.session import Session, State
from tests.support.clocks import FakeClock

ROOT = Path(__file__).resolve().parents[3]
MARKER = "Zebediah Marker-Quux"
ROLLUPS = "SELECT day, channel, metric, key, value FROM funnel_rollups WHERE office = 'DEMO'"


def test_sessions_of_yesterday_land_on_yesterday_in_the_rollups(live_central, tmp_path):
    outbox, relay, _ = kiosk_parts(tmp_path, live_central.url, live_central.token)
    catalogue = load_catalogue_strict(ROOT / "config" / "services")
    yesterday = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
        days=1
    )
    clock = FakeClock(yesterday)
    session = Session(
        catalogue,
        clock=clock,
        idle=IdleConfig(warning_after_s=60, respond_s=30, goodbye_s=8),
        funnel=FunnelOutbox(outbox),
    )
    # One citizen submits and carries on by phone ...
    session.start()
    session.choose_language("en")
    session.choose_service("change-of-address")
    answers = {**ANSWERS, "full_name": MARKER}
    while session.state is State.STEP:
        step = session.current_step
        clock.advance(20)
        assert session.answer({f.id: answers[f.id] for f in step.fields if f.id in answers}) == {}
    assert session.confirm_answers() is not None
    session.submission_succeeded("DEMO-TEST-0001")
    session.choose_outcome("phone")
    session.skip_feedback()
    clock.advance(10)
    session.tick()  # goodbye → attract
    # ... the next walks away after the first step.
    session.start()
    session.choose_language("en")
    session.choose_service("change-of-address")
    session.answer({"full_name": MARKER, "ni_number": "AB123456C", "date_of_birth": "1980-04-02"})
    clock.advance(61)
    session.tick()
    clock.advance(31)
    session.tick()
    assert session.state is State.ATTRACT

    (delivery,) = outbox.due()  # every row of the funnel stream, as one batch
    sent = delivery.payload["events"]
    assert len(sent) == 12 and len(delivery.seqs) == outbox.depth()
    while relay.run_once():
        pass
    assert outbox.depth() == 0 and outbox.dead_letters() == []
    day = yesterday.date().isoformat()  # London = UTC ± 1 h; noon is the same day in both
    rows = live_central.sql(ROLLUPS)
    got = {(str(r[0])[:10], r[1], r[2], r[3]): r[4] for r in rows}
    assert got[(day, "kiosk", "started", "")] == 2
    assert got[(day, "kiosk", "ended", "submitted")] == 1
    assert got[(day, "kiosk", "ended", "idle_wipe")] == 1
    assert got[(day, "kiosk", "handoff", "phone")] == 1
    assert got[(day, "kiosk", "step", "about-you")] == 2
    assert got[(day, "kiosk", "step", "new-address")] == 2
    assert got[(day, "kiosk", "step", "check_answers")] == 1
    assert got[(day, "kiosk", "duration_ms", "idle_wipe")] == 92_000
    assert {r[0] for r in got} == {day}
    assert live_central.sql("SELECT COUNT(*) FROM cases") == [(0,)]  # no case, still counted
    stored = live_central.sql("SELECT data FROM funnel_events")
    assert MARKER not in repr(stored) and "AB123456C" not in repr(stored)
    # The relay's acknowledgement was lost: the same events again change nothing.
    replay = CentralClient(live_central.url, live_central.token, timeout_s=3, retries=0)
    assert replay.post_funnel(sent) == {"accepted": 0, "duplicates": len(sent), "refused": []}
    assert sorted(map(tuple, live_central.sql(ROLLUPS))) == sorted(map(tuple, rows))
    outbox.close()
