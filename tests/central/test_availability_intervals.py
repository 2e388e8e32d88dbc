"""Availability records from a scripted heartbeat history under a fake clock (SQLite and
PostgreSQL): a kiosk whose office opens 09:00-12:00 beats every minute from 08:50, has a printer
fault 10:00-10:30, goes silent 10:30-11:00, then serves until 12:10. The intervals say how long it
was in service, out of service, offline and closed, the window of a report clips them, and its
availability in opening hours is what the scorecard reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from alerts_support import beat, evaluate

from catalogue.opening_hours import parse_hours
from central.cli import main
from central.db.base import make_sessionmaker
from central.fleet.availability import fleet_availability, summary

PAPER_OUT = {"receipt-printer": {"kind": "printer", "state": "error",
                                 "faults": [{"code": "paper_out", "message": "Out of paper"}]}}  # fmt: skip
START = datetime(2026, 3, 2, 8, 50, tzinfo=UTC)  # a Monday; London is on GMT


def at(hh: int, mm: int) -> datetime:
    return START.replace(hour=hh, minute=mm)


def test_intervals_from_a_scripted_day(engine, db_url, make_device, office, clock, capsys):
    hours = {office: parse_hours({"mon": "09:00-12:00"}, "Europe/London")}
    device_id, token = make_device(office, "Library kiosk")
    clock.now = START
    while clock.now < at(12, 10):
        if not at(10, 30) <= clock.now < at(11, 0):
            fault = at(10, 0) <= clock.now < at(10, 30)
            beat(engine, token, clock.now, states=PAPER_OUT if fault else None)
        evaluate(engine, clock.now, hours=hours)
        clock.advance(minutes=1)
    now = clock.now
    with make_sessionmaker(engine)() as session:
        (day,) = summary(session, START, now, now, office)
        assert (day.device_id, day.name) == (device_id, "Library kiosk")
        assert day.seconds == {
            "closed": 20 * 60,  # 08:50-09:00 and 12:00-12:10
            "in_service": 120 * 60,  # 09:00-10:00 and 11:00-12:00
            "out_of_service": 29 * 60,  # the fault, until its last heartbeat at 10:29
            "offline": 31 * 60,  # from its last heartbeat to its return at 11:00
        }
        assert day.availability == pytest.approx(120 / 180)
        assert fleet_availability(session, START, now, now, office) == pytest.approx(120 / 180)
        (window,) = summary(session, at(9, 30), at(10, 15), now, office)
        assert window.seconds == {"closed": 0.0, "in_service": 30 * 60.0,
                                  "out_of_service": 15 * 60.0, "offline": 0.0}  # fmt: skip
        assert summary(session, START - timedelta(days=1), START, now, office) == []
        assert fleet_availability(session, START - timedelta(days=1), START, now, office) is None
    # The scorecard's figure: kiosk-central report --format json, for that day and office.
    assert main(["report", "--db", db_url, "--period", "2026-03-02", "--office", office,
                 "--format", "json"]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["kiosk_availability"] == pytest.approx(120 / 180)
