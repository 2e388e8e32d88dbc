"""The outbox's part in slips and resumed cases: a kiosk-made code travels sealed, after the
case's own rows, one row at a time; a code central refuses goes to the dead letters without
blocking anything; a resumed case's events queue on its existing id (no create)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from kiosk.link.errors import Conflict
from kiosk.outbox import Outbox, OutboxError, Relay, RowCipher
from kiosk.runtime.cases import CaseDesk
from kiosk.session.resume import ResumedSubmission

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))
from outbox_support import ANSWERS, submission  # noqa: E402

CODE = "BCDF-GHJK-LMNP"


class Sender:
    def __init__(self, refuse_codes: bool = False) -> None:
        self.calls: list[tuple[str, str, object]] = []
        self.refuse_codes = refuse_codes

    def create_case(self, body: dict, idempotency_key: str) -> dict:
        self.calls.append(("create", body["id"], None))
        return {"reference": body["reference"]}

    def append_events(self, case_id: str, events: list[dict]) -> dict:
        self.calls.append(("events", case_id, [e["type"] for e in events]))
        return {}

    def create_resume_code(self, case_id: str, body: dict) -> dict:
        if self.refuse_codes:
            raise Conflict(409, {"type": "https://x/problems/resume-code-taken", "title": "taken"})
        self.calls.append(("resume_code", case_id, dict(body)))
        return {"code": body["code"]}


@pytest.fixture
def parts(tmp_path):  # type: ignore[no-untyped-def]
    outbox = Outbox(tmp_path / "outbox.sqlite3", RowCipher("token", "kiosk-test"))
    yield outbox, CaseDesk(outbox, None, "DEMO")
    outbox.close()


def relay(outbox: Outbox, sender: Sender) -> Relay:
    return Relay(outbox, sender, rng=random.Random(1))


def test_kiosk_code_goes_after_the_case_sealed(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, desk = parts
    case = desk.submit(submission())
    desk.register_resume_code(case.case_id, CODE, "dob", "1980-04-02")
    assert [p["kind"] for p in outbox.pending()] == ["create", "events", "resume_code"]
    wal = Path(str(outbox.path) + "-wal")
    raw = outbox.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert CODE.encode() not in raw and b"1980-04-02" not in raw
    sender = Sender()
    r = relay(outbox, sender)
    for _ in range(5):
        r.run_once()
    assert outbox.depth() == 0 and outbox.dead_letters() == []
    assert [c[0] for c in sender.calls] == ["create", "events", "resume_code"]
    assert sender.calls[-1][2] == {"code": CODE, "factor_kind": "dob", "factor_value": "1980-04-02"}


def test_a_refused_code_is_a_dead_letter_that_blocks_nothing(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, desk = parts
    case = desk.submit(submission())
    desk.register_resume_code(case.case_id, CODE, "pin", "4821")
    desk.ask_staff(case, submission())
    r = relay(outbox, Sender(refuse_codes=True))
    while outbox.depth():
        r.run_once()
    [dead] = outbox.dead_letters()
    assert dead["kind"] == "resume_code" and "409 resume-code-taken" in dead["reason"]
    assert "4821" not in repr(dead)


def test_no_code_for_a_case_the_kiosk_does_not_know(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, desk = parts
    with pytest.raises(OutboxError):
        desk.register_resume_code("no-such-case", CODE, "pin", "4821")
    assert outbox.depth() == 0


def test_a_resumed_case_is_continued_never_created(parts) -> None:  # type: ignore[no-untyped-def]
    outbox, desk = parts
    base = {k: ANSWERS[k] for k in ("full_name", "ni_number", "date_of_birth")}
    plain = submission()
    resumed = ResumedSubmission(plain.service_id, "en", plain.kind, None, dict(ANSWERS), (),
                                case_id="case-9", reference="DEMO-ABCD-EFGH-1",
                                base_answers=base | {"town": "Newport"})  # fmt: skip
    case = desk.resubmit(resumed)
    assert (case.case_id, case.reference) == ("case-9", "DEMO-ABCD-EFGH-1")
    assert desk.is_sent("case-9") and outbox.local_case("case-9")["status"] == "sent"
    desk.resubmit(resumed)  # a second try queues behind the first, still no create
    sender = Sender()
    r = relay(outbox, sender)
    while outbox.depth():
        r.run_once()
    assert sender.calls == [("events", "case-9", ["answers_changed", "submitted"] * 2)]
    assert desk.wait_delivered("case-9", 0.1)


class IfMatchSender(Sender):
    def append_events(self, case_id: str, events: list[dict], if_match: str | None = None) -> dict:
        self.calls.append(("events", case_id, ([e["type"] for e in events], if_match)))
        return {}


def test_a_resumed_cases_changed_answers_go_under_if_match(parts) -> None:  # type: ignore[no-untyped-def]
    """Central wants the version a patch is against (issue 16, item 8): the resumed version is
    sent as If-Match with the batch that changes answers — and that batch is never merged behind
    other rows, nor are its rows' If-Match lost when later rows join it."""
    outbox, desk = parts
    base = {k: ANSWERS[k] for k in ("full_name", "ni_number", "date_of_birth")}
    plain = submission()
    resumed = ResumedSubmission(plain.service_id, "en", plain.kind, None, dict(ANSWERS), (),
                                case_id="case-7", reference="DEMO-ABCD-EFGH-1",
                                base_answers=base, base_version=4)  # fmt: skip
    desk.resubmit(resumed)
    desk.resubmit(resumed)  # a second try: its own batch, under its own If-Match
    unchanged = ResumedSubmission(plain.service_id, "en", plain.kind, None, dict(ANSWERS), (),
                                  case_id="case-7", reference="DEMO-ABCD-EFGH-1",
                                  base_answers=dict(ANSWERS), base_version=4)  # fmt: skip
    desk.resubmit(unchanged)  # nothing changed: no answers_changed, no If-Match
    sender = IfMatchSender()
    r = relay(outbox, sender)
    while outbox.depth():
        r.run_once()
    assert sender.calls == [
        ("events", "case-7", (["answers_changed", "submitted"], '"4"')),
        ("events", "case-7", (["answers_changed", "submitted", "submitted"], '"4"')),
    ]
