"""The outbox store: atomic local state + operation, sealed at rest, in order per case, batches of
events, bad rows set aside with a reason, a full disk refused whole."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from kiosk.outbox import Outbox, OutboxFull, RowCipher
from tests.support.clocks import StepClock

SECRET_NI = "AB123456C"


@pytest.fixture
def clock():
    return StepClock()


@pytest.fixture
def outbox(tmp_path, clock):
    box = Outbox(tmp_path / "outbox.sqlite3", RowCipher("dev_1.secret", "kiosk-1"), clock)
    yield box
    box.close()


def submit(box: Outbox, answers: dict | None = None) -> str:
    case_id = str(uuid.uuid4())
    box.submit_case(
        case_id=case_id,
        reference="DEMO-0000-0000-0",
        service_id="change-of-address",
        language="cy",
        body={"id": case_id, "answers": answers or {"ni_number": SECRET_NI}},
        idempotency_key=f"create-{case_id}",
    )
    return case_id


def ev(n: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "type": "help_requested", "n": n}


def test_submission_is_local_state_and_operation_together(outbox):
    case_id = submit(outbox)
    assert outbox.local_case(case_id)["status"] == "queued"
    (d,) = outbox.due()
    assert d.kind == "create" and d.payload["key"] == f"create-{case_id}"
    assert d.payload["body"]["answers"]["ni_number"] == SECRET_NI


def test_answers_are_not_on_disk_in_clear(outbox, tmp_path):
    submit(outbox, {"ni_number": SECRET_NI, "full_name": "Gwenllian Prydderch"})
    outbox.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert SECRET_NI.encode() not in raw and b"Prydderch" not in raw
    assert b"DEMO-0000-0000-0" in raw  # the reference is not secret: kiosk outbox lists it


def test_wrong_key_cannot_open_rows_and_they_are_set_aside(tmp_path, clock):
    box = Outbox(tmp_path / "o.sqlite3", RowCipher("dev_1.secret", "kiosk-1"), clock)
    submit(box)
    box.close()
    other = Outbox(tmp_path / "o.sqlite3", RowCipher("dev_1.NEW-token", "kiosk-1"), clock)
    assert other.due() == []
    (dead,) = other.dead_letters()
    assert "unreadable" in dead["reason"] and dead["kind"] == "create"
    assert other.depth() == 0
    other.close()


def test_one_head_per_case_in_order_and_events_batched(outbox):
    a, b = submit(outbox), submit(outbox)
    outbox.add_events(a, [ev(1)])
    outbox.add_events(a, [ev(2), ev(3)])
    heads = outbox.due()
    assert [(d.case_id, d.kind) for d in heads] == [(a, "create"), (b, "create")]
    outbox.ack(heads[0], status="sent")
    assert outbox.local_case(a)["status"] == "sent"
    nxt = [d for d in outbox.due() if d.case_id == a][0]
    assert nxt.kind == "events" and [e["n"] for e in nxt.payload["events"]] == [1, 2, 3]
    assert len(nxt.seqs) == 2
    outbox.ack(nxt)
    assert [d.case_id for d in outbox.due()] == [b]


def test_tampered_row_is_set_aside_and_the_next_one_moves_up(outbox):
    a = submit(outbox)
    outbox.ack(outbox.due()[0], status="sent")
    outbox.add_events(a, [ev(1)])
    outbox.add_events(a, [ev(2)])
    db = sqlite3.connect(outbox.path)
    first = db.execute("SELECT MIN(seq) FROM ops").fetchone()[0]
    db.execute("UPDATE ops SET sealed = X'0102' WHERE seq = ?", (first,))
    db.commit()
    db.close()
    (d,) = outbox.due()
    assert [e["n"] for e in d.payload["events"]] == [2]
    assert len(outbox.dead_letters()) == 1


def test_retry_later_waits_then_comes_back(outbox, clock):
    submit(outbox)
    (d,) = outbox.due()
    outbox.retry_later(d, "central unreachable (connection)", 30)
    assert outbox.due() == []
    clock.now += 31
    (again,) = outbox.due()
    assert again.attempts == 1
    assert outbox.pending()[0]["last_error"] == "central unreachable (connection)"


def test_full_disk_is_refused_whole_and_loses_nothing(outbox):
    kept = submit(outbox)
    db = sqlite3.connect(outbox.path)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    outbox._db.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(OutboxFull) as err:
        submit(outbox, {"ni_number": SECRET_NI, "blob": "x" * 200_000})
    assert "disk is full" in str(err.value)
    assert [d.case_id for d in outbox.due()] == [kept]
    assert outbox.depth() == 1


def test_listing_shows_no_answers(outbox):
    submit(outbox)
    listing = repr(outbox.pending()) + repr(outbox.dead_letters())
    assert SECRET_NI not in listing and "DEMO-0000-0000-0" in listing
