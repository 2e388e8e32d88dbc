"""Two central nodes evaluating the fleet at the same moment (PostgreSQL, two engines, so two
connection pools as two processes would have): every alert is opened once and every notice is sent
once, by one node or the other, never by both."""

from __future__ import annotations

import threading

import pytest
from alerts_support import Recorder, beat

from catalogue.opening_hours import ALWAYS
from central.db.base import make_engine
from central.fleet.alerts import open_alerts, run_pass

KIOSKS = 20
ROUNDS = 5


def test_two_evaluators_racing_open_and_send_each_alert_once(db_url, engine, make_device, office,
                                                             clock):  # fmt: skip
    if not db_url.startswith("postgresql"):
        pytest.skip("the race between nodes is a PostgreSQL deployment; SQLite has one writer")
    tokens = [make_device(office, f"kiosk {n}")[1] for n in range(KIOSKS)]
    other = make_engine(db_url)
    recorders = [Recorder(), Recorder()]
    try:
        for round_ in range(ROUNDS):
            clock.advance(seconds=30)
            for n, token in enumerate(tokens):
                # Each round a different half of the kiosks has a backlog: alerts open and clear.
                beat(engine, token, clock(), depth=40 if (n + round_) % 2 else 0)
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def node(eng, rec, barrier=barrier, errors=errors):  # type: ignore[no-untyped-def]
                try:
                    barrier.wait()
                    run_pass(eng, clock(), lambda _o: ALWAYS, [rec], "1.0")
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)

            threads = [threading.Thread(target=node, args=(e, r))
                       for e, r in zip((engine, other), recorders, strict=True)]  # fmt: skip
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert errors == []
            with engine.connect() as conn:
                open_now = [r.device_id for r in open_alerts(conn, office)]
            assert len(open_now) == len(set(open_now)) == KIOSKS // 2
    finally:
        other.dispose()
    sent = [(n.alert_id, n.event) for r in recorders for n in r.notices if n.office == office]
    assert len(sent) == len(set(sent))  # never twice
    opened = {a for a, e in sent if e == "opened"}
    resolved = {a for a, e in sent if e == "resolved"}
    # Round 0 opens 10; each later round resolves those 10 and opens 10 new ones.
    assert len(opened) == KIOSKS // 2 * ROUNDS
    assert len(resolved) == KIOSKS // 2 * (ROUNDS - 1) and resolved <= opened
