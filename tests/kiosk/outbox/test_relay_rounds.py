"""The relay's rounds against a scripted central: a case's create and then its events go out in the
same round, in order, never an event before its create was acknowledged; the round's
acknowledgements are committed together; a refused or unanswered create holds its events back."""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

import pytest

from kiosk.link.errors import Offline, Rejected
from kiosk.outbox import Outbox, Relay, RowCipher
from tests.support.clocks import StepClock


class ScriptedCentral:
    """Records what arrives, in order; ``refuse``/``offline`` name case ids to answer badly."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.log: list[tuple[str, str, list[Any]]] = []
        self.created: set[str] = set()
        self.refuse: set[str] = set()
        self.offline: set[str] = set()
        self.depth_seen: list[int] = []
        self._lock = threading.Lock()

    def create_case(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        case_id = body["id"]
        if case_id in self.offline:
            raise Offline("central unreachable (connection)")
        if case_id in self.refuse:
            raise Rejected(422, {"type": "https://example/problems/invalid-answers"})
        with self._lock:
            self.log.append(("create", case_id, []))
            self.created.add(case_id)
        return {"id": case_id, "reference": f"REF-{case_id[:4]}"}

    def append_events(self, case_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            assert case_id in self.created, "events arrived before their case"
            self.log.append(("events", case_id, [e["n"] for e in events]))
            self.depth_seen.append(self.outbox.depth())
        return {"events": events}

    def create_resume_code(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {}


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "outbox.sqlite3", RowCipher("dev_1.secret", "kiosk-1"), StepClock())
    yield box
    box.close()


def submit(box: Outbox, *first: int) -> str:
    case_id = str(uuid.uuid4())
    box.submit_case(
        case_id=case_id,
        reference="DEMO-0000-0000-0",
        service_id="change-of-address",
        language="en",
        body={"id": case_id, "answers": {}},
        idempotency_key=f"create-{case_id}",
        events=[ev(n) for n in first] or None,
    )
    return case_id


def ev(n: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "type": "help_requested", "n": n}


@pytest.mark.parametrize("workers", [1, 4])
def test_create_then_its_events_in_one_round_in_order(outbox, workers):
    cases = [submit(outbox, 1) for _ in range(12)]
    for case_id in cases:
        outbox.add_events(case_id, [ev(2)], status="waiting_for_staff")
    central = ScriptedCentral(outbox)
    relay = Relay(outbox, central, workers=workers)
    try:
        assert relay.run_once() == 24  # 12 creates + 12 event batches, one round
    finally:
        relay.stop()
    assert outbox.depth() == 0
    for case_id in cases:
        mine = [(kind, ns) for kind, c, ns in central.log if c == case_id]
        assert mine == [("create", []), ("events", [1, 2])]
        assert outbox.local_case(case_id)["reference"] == f"REF-{case_id[:4]}"
    # Acknowledged rows are deleted together at the end of the round, not one by one.
    assert set(central.depth_seen) == {36}


def test_unanswered_create_holds_back_its_events_and_others_go_on(outbox):
    down, up = submit(outbox, 1), submit(outbox, 1)
    central = ScriptedCentral(outbox)
    central.offline.add(down)
    relay = Relay(outbox, central, workers=4, rng=random.Random(1))
    try:
        relay.run_once()
    finally:
        relay.stop()
    assert [c for _, c, _ in central.log] == [up, up]
    assert [row["kind"] for row in outbox.pending()] == ["create", "events"]
    assert {row["case_id"] for row in outbox.pending()} == {down}
    assert outbox.local_case(up)["status"] == "sent"
    assert outbox.local_case(down)["status"] == "queued"


def test_refused_create_is_set_aside_and_its_events_are_not_chained(outbox):
    bad = submit(outbox, 1)
    central = ScriptedCentral(outbox)
    central.refuse.add(bad)
    relay = Relay(outbox, central)
    try:
        assert relay.run_once() == 0
    finally:
        relay.stop()
    assert central.log == []
    assert [row["kind"] for row in outbox.dead_letters()] == ["create"]
    assert [row["kind"] for row in outbox.pending()] == ["events"]


def test_a_crash_before_the_round_commits_only_replays(outbox, tmp_path):
    case_id = submit(outbox, 1)
    central = ScriptedCentral(outbox)

    class Crash(BaseException):
        pass

    relay = Relay(outbox, central)

    def crash(acks):  # the process dies before the round's acknowledgements reach the disk
        raise Crash

    outbox.ack_many = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        relay.run_once()
    relay.stop()
    del outbox.ack_many
    assert [kind for kind, _, _ in central.log] == ["create", "events"]
    assert [row["kind"] for row in outbox.pending()] == ["create", "events"]
    again = Relay(outbox, central)
    try:
        assert again.run_once() == 2  # sent again: central answers replays, nothing is lost
    finally:
        again.stop()
    assert outbox.depth() == 0 and outbox.local_case(case_id)["status"] == "sent"
