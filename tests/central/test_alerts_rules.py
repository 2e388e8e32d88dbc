"""Fleet alert rules from heartbeats (SQLite and PostgreSQL): each rule opens an alert with one
notice, never a second while it holds, and resolves itself with a "resolved" notice when the kiosk
recovers; notices wait outside opening hours and go out when the office opens; a notice no channel
could deliver is sent at the next pass; ``kiosk-central alerts`` lists what is open."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from alerts_support import GOOD_PRINTER, Recorder, beat, evaluate

from catalogue.opening_hours import parse_hours
from central.fleet.alerts import open_alerts

NEAR_END = {"receipt-printer": {"kind": "printer", "state": "idle",
                                "faults": [{"code": "paper_near_end", "message": "Paper low"}]}}  # fmt: skip
PAPER_OUT = {"receipt-printer": {"kind": "printer", "state": "error",
                                 "faults": [{"code": "paper_out", "message": "Out of paper"}]}}  # fmt: skip
CRASH = GOOD_PRINTER | {"watchdog": {"kind": "watchdog", "state": "crash_loop",
                                     "faults": [{"code": "crash_loop", "message": "5 starts"}]}}  # fmt: skip

BAD_BEATS = {
    "device_fault": {"states": PAPER_OUT},
    "paper_near_end": {"states": NEAR_END},
    "outbox_backlog": {"depth": 25},
    "version_drift": {"version": "0.9"},
    "crash_loop": {"states": CRASH, "screen": "out_of_service"},
    "out_of_service": {"screen": "out_of_service"},
}


def open_rules(engine, office):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return sorted(r.rule for r in open_alerts(conn, office))


@pytest.mark.parametrize("rule", sorted(BAD_BEATS))
def test_each_rule_fires_once_and_clears_by_itself(engine, make_device, office, clock, rule):
    _, token = make_device(office)
    rec = Recorder()
    beat(engine, token, clock())
    evaluate(engine, clock(), [rec])
    assert open_rules(engine, office) == [] and rec.of(office) == []

    clock.advance(seconds=30)
    beat(engine, token, clock(), **BAD_BEATS[rule])
    evaluate(engine, clock(), [rec])
    clock.advance(seconds=30)
    beat(engine, token, clock(), **BAD_BEATS[rule])
    evaluate(engine, clock(), [rec])  # still holds: no second alert, no second notice
    expected = {rule} | ({"out_of_service"} if rule == "crash_loop" else set())
    assert set(open_rules(engine, office)) == expected
    assert sorted(rec.of(office)) == sorted(("opened", r) for r in expected)

    clock.advance(seconds=30)
    beat(engine, token, clock())
    evaluate(engine, clock(), [rec])
    assert open_rules(engine, office) == []
    assert sorted(rec.of(office)) == sorted(
        [("opened", r) for r in expected] + [("resolved", r) for r in expected]
    )


def test_a_paper_fault_is_a_device_fault_and_paper_near_end_is_not(
    engine, make_device, office, clock
):
    _, token = make_device(office)
    beat(engine, token, clock(), states=NEAR_END)
    evaluate(engine, clock())
    assert open_rules(engine, office) == ["paper_near_end"]


def test_a_silent_kiosk_after_two_missed_beats_then_back(engine, make_device, office, clock):
    _, token = make_device(office)
    rec = Recorder()
    beat(engine, token, clock(), states=NEAR_END)
    evaluate(engine, clock(), [rec])
    clock.advance(seconds=60)  # one beat missed, the second is not yet late
    evaluate(engine, clock(), [rec])
    assert open_rules(engine, office) == ["paper_near_end"]
    clock.advance(seconds=10)
    evaluate(engine, clock(), [rec])
    # Silent: its other facts are stale, so paper_near_end neither clears nor opens again.
    assert open_rules(engine, office) == ["paper_near_end", "silent"]
    clock.advance(minutes=10)
    beat(engine, token, clock())
    evaluate(engine, clock(), [rec])
    assert open_rules(engine, office) == []
    assert rec.of(office) == [("opened", "paper_near_end"), ("opened", "silent"),
                              ("resolved", "paper_near_end"), ("resolved", "silent")]  # fmt: skip
    silent = next(n for n in rec.notices if n.office == office and n.rule == "silent")
    assert silent.detail == "no heartbeat for 1 min"


def test_outside_opening_hours_notices_are_held_then_sent(engine, make_device, office, clock):
    # clock: Monday 2 March 2026, 09:30 UTC = 09:30 in London (GMT). The office opens at 10:00.
    hours = {office: parse_hours({"mon": "10:00-17:00"}, "Europe/London")}
    _, token = make_device(office)
    rec = Recorder()
    beat(engine, token, clock(), states=PAPER_OUT)
    result = evaluate(engine, clock(), [rec], hours)
    assert open_rules(engine, office) == ["device_fault"]
    assert rec.of(office) == [] and result.held >= 1
    clock.advance(minutes=10)
    beat(engine, token, clock(), depth=30)
    evaluate(engine, clock(), [rec], hours)  # fault fixed, a backlog begins: all still held
    assert rec.of(office) == []
    clock.advance(minutes=20)  # 10:00: open
    beat(engine, token, clock(), depth=30)
    evaluate(engine, clock(), [rec], hours)
    # Openings first, then the resolutions whose opening has been told.
    assert rec.of(office) == [("opened", "device_fault"), ("opened", "outbox_backlog"),
                              ("resolved", "device_fault")]  # fmt: skip


def test_a_notice_no_channel_delivered_is_sent_at_the_next_pass(engine, make_device, office, clock):
    _, token = make_device(office)
    broken, working = Recorder(fail=True), Recorder()
    beat(engine, token, clock(), depth=40)
    result = evaluate(engine, clock(), [broken])
    assert result.failed >= 1 and "recorder: refused" in result.errors
    clock.advance(seconds=30)
    beat(engine, token, clock(), depth=40)
    evaluate(engine, clock(), [working])
    evaluate(engine, clock(), [working])
    assert working.of(office) == [("opened", "outbox_backlog")]


def test_cli_lists_open_alerts_as_text_and_json(engine, db_url, make_device, office, clock):
    device_id, token = make_device(office, "Front door")
    beat(engine, token, clock(), depth=50)
    evaluate(engine, clock())
    run = [sys.executable, "-m", "central.cli", "alerts", "--db", db_url, "--office", office]
    text = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert text.returncode == 1, text.stderr
    assert f"outbox_backlog  {office}" in text.stdout and "(Front door)" in text.stdout
    assert "50 cases wait in the outbox" in text.stdout and "1 open alert(s)" in text.stdout
    listed = json.loads(subprocess.run(run + ["--json"], capture_output=True, text=True,
                                       timeout=120).stdout)  # fmt: skip
    assert [(a["device_id"], a["rule"], a["sent"]) for a in listed] == [
        (device_id, "outbox_backlog", True)
    ]
    clock.advance(seconds=30)
    beat(engine, token, clock())
    evaluate(engine, clock() + timedelta(seconds=1))
    none = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert none.returncode == 0 and "0 open alert(s)" in none.stdout
