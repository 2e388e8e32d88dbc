"""The outbox against a real central (`kiosk-central serve`, SQLite): an outage in the middle of 50
submissions loses and duplicates nothing; clock skew does not reorder a case's events."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from outbox_support import kiosk_parts, submission


def drain(relay, outbox, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outbox.depth() == 0, (relay.status(), outbox.pending()[:3])


@pytest.mark.parametrize("workers", [1, 4])
def test_central_down_for_the_middle_of_50_submissions(live_central, tmp_path, workers):
    outbox, relay, desk = kiosk_parts(
        tmp_path, live_central.url, live_central.token, workers=workers
    )
    relay.start()
    made = []
    for i in range(50):
        if i == 15:
            drain(relay, outbox)
            live_central.stop()
        if i == 35:
            assert relay.status().state == "offline"
            assert outbox.depth() >= 2 * 20  # create + submitted of each, all still on the kiosk
            live_central.start()
            relay.wake()
        made.append(desk.submit(submission()))
    drain(relay, outbox)
    relay.stop()
    rows = live_central.sql("SELECT reference, status FROM cases ORDER BY reference")
    assert sorted(m.reference for m in made) == [r[0] for r in rows]
    assert {r[1] for r in rows} == {"submitted"}
    per_case = live_central.sql(
        "SELECT c.reference, COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
        "GROUP BY c.reference"
    )
    assert {n for _, n in per_case} == {2}  # created + submitted, each exactly once
    assert outbox.dead_letters() == []
    assert all(outbox.local_case(m.case_id)["status"] == "sent" for m in made)


def test_clock_skew_does_not_reorder_a_case(live_central, tmp_path):
    outbox, relay, desk = kiosk_parts(tmp_path, live_central.url, live_central.token)
    skews = iter([timedelta(hours=3), timedelta(hours=3), timedelta(hours=-5)])
    desk.now_iso = lambda: (datetime.now(UTC) + next(skews)).isoformat()
    sub = submission()
    case = desk.submit(sub)  # created + submitted: kiosk clock 3 h fast
    desk.ask_staff(case, sub)  # kiosk clock now 5 h slow
    while relay.run_once():
        pass
    rows = live_central.sql(
        "SELECT e.type, e.occurred_at, e.received_at FROM case_events e JOIN cases c "
        "ON c.id = e.case_id WHERE c.reference = :r ORDER BY e.seq",
        {"r": case.reference},
    )
    assert [r[0] for r in rows] == ["created", "submitted", "help_requested"]
    occurred = [datetime.fromisoformat(str(r[1])) for r in rows]
    assert occurred[2] < occurred[1]  # the kiosk's clock says it happened earlier…
    assert live_central.sql(
        "SELECT status FROM cases WHERE reference = :r", {"r": case.reference}
    ) == [("waiting_for_staff",)]  # …but the server's order decides the state


def test_assisted_answers_are_attributed_to_the_staff_member(live_central, tmp_path):
    from kiosk.session import SessionKind

    outbox, relay, desk = kiosk_parts(tmp_path, live_central.url, live_central.token)
    case = desk.submit(submission(SessionKind.ASSISTED, "STF-0042"))
    while relay.run_once():
        pass
    rows = live_central.sql(
        "SELECT e.type, e.channel, e.actor_type, e.actor_id FROM case_events e JOIN cases c "
        "ON c.id = e.case_id WHERE c.reference = :r ORDER BY e.seq",
        {"r": case.reference},
    )
    assert rows == [
        ("created", "assisted", "staff", "STF-0042"),
        ("submitted", "assisted", "staff", "STF-0042"),
    ]
