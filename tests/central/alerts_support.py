"""Helpers of the fleet alert and availability tests: heartbeats written through the real writer,
a channel that records what it was given, and one pass of the evaluator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalogue.opening_hours import ALWAYS, OpeningHours
from central.fleet.alerts import run_pass
from central.fleet.notify import Notice, NotifyError
from central.heartbeat_store import Beat, write_batch

VERSION = "1.0"
GOOD_PRINTER = {"receipt-printer": {"kind": "printer", "state": "idle", "faults": []}}


def beat(engine: Any, token: str, at: datetime, *, version: str = VERSION, depth: int = 0,
         states: dict | None = None, screen: str = "attract") -> None:  # fmt: skip
    activity = {"session_active": False, "idle_s": 120, "screen": screen}
    stored = write_batch(
        engine,
        [Beat(token, at, version, depth, GOOD_PRINTER if states is None else states, activity)],
    )
    assert stored[0] is not None  # fmt: skip


class Recorder:
    name = "recorder"

    def __init__(self, fail: bool = False) -> None:
        self.notices: list[Notice] = []
        self.fail = fail

    def send(self, notice: Notice) -> None:
        if self.fail:
            raise NotifyError("recorder: refused")
        self.notices.append(notice)

    def of(self, office: str) -> list[tuple[str, str]]:
        return [(n.event, n.rule) for n in self.notices if n.office == office]


def evaluate(engine: Any, now: datetime, channels=(), hours: dict[str, OpeningHours] | None = None):  # type: ignore[no-untyped-def]
    table = hours or {}
    return run_pass(engine, now, lambda office: table.get(office, ALWAYS), channels, VERSION)
