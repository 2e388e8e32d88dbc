"""Funnel events from the session machine (issue 13 item 1): what each journey emits, in order,
with the durations of the fake clock — and never an answer. The outbox part opens every stored
payload and looks for a marker answer in it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_session_support import make_session, to_check_answers, to_not_eligible

from kiosk.outbox import Outbox, RowCipher
from kiosk.outbox.funnel import FUNNEL_STREAM, FunnelOutbox
from kiosk.session import SessionKind
from kiosk.session.funnel import features_of

MARKER = "Zebediah Marker-Quux"


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def record(self, events: list[dict[str, Any]]) -> None:
        self.batches.append(events)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for batch in self.batches for e in batch]

    def kinds(self) -> list[str]:
        out = []
        for e in self.events:
            extra = e.get("step_id") or e.get("reason") or e.get("route") or ""
            out.append(f"{e['type']}:{extra}" if extra else e["type"])
        return out


def test_start_steps_submit_phone_handoff_then_goodbye() -> None:
    sink = ListSink()
    session, clock = make_session(funnel=sink)
    session.funnel.features = lambda: ["large_text", "not-a-feature", "audio"]
    to_check_answers(session, name=MARKER)
    clock.advance(30)
    assert session.confirm_answers() is not None
    clock.advance(5)
    session.submission_succeeded("KX7-4RT9", "case-id-never-sent")
    session.choose_outcome("phone")
    session.skip_feedback()
    assert sink.kinds() == [
        "started",
        "step:who",
        "step:abroad",
        "step:new-address",
        "step:contact",
        "step:check_answers",
        "ended:submitted",
        "handoff:phone",
    ]
    started, ended = sink.events[0], sink.events[6]
    assert started["language"] == "en" and started["features"] == ["audio", "large_text"]
    assert started["channel"] == "kiosk" and started["service_id"] == "move-home"
    assert ended["duration_ms"] == 35_000
    assert ended["occurred_at"] > started["occurred_at"] == started["started_at"]
    assert {e["session_id"] for e in sink.events} == {started["session_id"]}
    assert [e["step_index"] for e in sink.events[1:6]] == [0, 1, 2, 4, 5]
    assert len({e["event_id"] for e in sink.events}) == 8
    text = json.dumps(sink.events)
    for secret in (MARKER, "Quarry Lane", "KX7-4RT9", "case-id-never-sent"):
        assert secret not in text


def test_help_before_sending_is_a_handoff_to_staff_counted_once() -> None:
    sink = ListSink()
    session, _clock = make_session(funnel=sink)
    session.start()
    session.choose_language("en")
    session.choose_service("move-home")
    assert session.answer({"full_name": MARKER}) == {}
    session.ask_help()
    session.submission_succeeded("KX7-4RT9", "case-id-never-sent")
    session.choose_outcome("staff")
    session.skip_feedback()
    assert sink.kinds() == [
        "started", "step:who", "step:abroad", "handoff:staff", "ended:handed_off_staff",
    ]  # fmt: skip
    assert MARKER not in json.dumps(sink.events)


def test_idle_wipe_ends_the_attempt_and_going_back_counts_a_step_once() -> None:
    sink = ListSink()
    session, clock = make_session(funnel=sink)
    session.start()
    session.choose_language("cy")
    session.choose_service("move-home")
    assert session.answer({"full_name": MARKER}) == {}
    session.back()
    assert session.answer({"full_name": MARKER}) == {}
    clock.advance(61)
    session.tick()
    clock.advance(31)
    session.tick()
    assert sink.kinds() == ["started", "step:who", "step:abroad", "ended:idle_wipe"]
    assert sink.events[0]["language"] == "cy"
    assert sink.events[-1]["duration_ms"] == 92_000
    assert MARKER not in json.dumps(sink.events)


def test_changed_service_back_to_start_assisted_and_diagnostics() -> None:
    sink = ListSink()
    session, _ = make_session(funnel=sink)
    session.start(SessionKind.ASSISTED, staff_id="STAFF9")
    session.choose_language("en")
    session.choose_service("move-home")
    session.back()
    session.choose_service("move-home")  # the same service again: the same attempt
    session.back()
    session.choose_service("benefit-letter")
    session.end()
    session.end()  # goodbye → attract
    session.start(SessionKind.DIAGNOSTICS, staff_id="TEC7")
    session.end()
    session.start()
    session.wipe("handoff")  # nobody chose a service: nothing to measure
    assert sink.kinds() == [
        "started",
        "step:who",
        "ended:changed_service",
        "started",
        "step:ref",
        "ended:back_to_start",
    ]
    assert {e["channel"] for e in sink.events} == {"assisted"}
    first, second = sink.events[0]["session_id"], sink.events[3]["session_id"]
    assert first != second


def test_not_eligible_is_a_completed_attempt_and_changing_the_answer_is_another() -> None:
    sink = ListSink()
    session, clock = to_not_eligible(funnel=sink)
    clock.advance(12)
    session.back()  # to the deciding question, to change the answer
    assert session.answer({"full_name": MARKER}) == {}
    clock.advance(30)
    session.wipe("idle")
    assert sink.kinds() == [
        "started",
        "step:who",
        "ended:not_eligible",
        "started",
        "step:who",
        "step:abroad",
        "ended:idle_wipe",
    ]
    first, second = sink.events[0]["session_id"], sink.events[3]["session_id"]
    assert first != second and sink.events[-1]["duration_ms"] == 30_000
    assert MARKER not in json.dumps(sink.events)


def test_a_failing_sink_never_stops_the_session() -> None:
    class Broken:
        def record(self, events: list[dict[str, Any]]) -> None:
            raise OSError("disk full")

    session, _ = make_session(funnel=Broken())
    to_check_answers(session)
    assert session.confirm_answers() is not None


def test_features_of_names_only() -> None:
    class Settings:
        text_size, theme, reach_mode, audio, volume = 2, "high_contrast", True, False, 90

    assert features_of(Settings()) == ["large_text", "high_contrast", "reach_mode"]


@pytest.mark.parametrize("journey", ["submit", "idle"])
def test_the_outbox_holds_the_events_and_no_answer(tmp_path, journey: str) -> None:
    cipher = RowCipher("device-secret", "kiosk-1")
    outbox = Outbox(tmp_path / "outbox.sqlite3", cipher)
    woken: list[int] = []
    session, clock = make_session(funnel=FunnelOutbox(outbox, lambda: woken.append(1)))
    if journey == "submit":
        to_check_answers(session, name=MARKER)
        session.confirm_answers()
        session.submission_succeeded("KX7-4RT9")
    else:
        session.start()
        session.choose_language("en")
        session.choose_service("move-home")
        session.answer({"full_name": MARKER})
        clock.advance(200)
        session.tick()
        clock.advance(40)
        session.tick()
    rows = outbox._db.execute("SELECT op_id, case_id, kind, sealed FROM ops").fetchall()
    assert {(r[1], r[2]) for r in rows} == {(FUNNEL_STREAM, "funnel")}
    assert len(woken) == len(rows)
    opened = [cipher.open(r[0], r[3]).decode() for r in rows]
    assert all(MARKER not in p and "Quarry Lane" not in p for p in opened)
    assert MARKER.encode() not in (tmp_path / "outbox.sqlite3").read_bytes()
    delivery = outbox.due()[0]
    assert delivery.kind == "funnel" and delivery.case_id == FUNNEL_STREAM
    types = [e["type"] for e in delivery.payload["events"]]
    assert types[0] == "started" and types[-1] == "ended"
    expected = "submitted" if journey == "submit" else "idle_wipe"
    assert delivery.payload["events"][-1]["reason"] == expected
    assert len(delivery.seqs) == len(rows)  # every row in one batch
    assert FunnelOutbox(outbox).case_depth() == 0 < outbox.depth()  # not a backlog of cases
    outbox.close()
