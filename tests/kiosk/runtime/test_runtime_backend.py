"""The runtime the screens call, end to end on real parts: config/kiosk.toml with emulated devices
behind ptys, a real central. Online: sent, phone offer, receipt on paper. Paper out: a sentence from
the fault's hint, in the citizen's language. Central down: stored, not sent, no phone offer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.runtime.app import KioskRuntime

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))
from outbox_support import submission  # noqa: E402

CONFIG = Path(__file__).resolve().parents[3] / "config" / "kiosk.toml"


@pytest.fixture
def live_central(tmp_path):
    """Central with this kiosk registered under config/kiosk.toml's office id."""
    from live_central import LiveCentral

    central = LiveCentral(tmp_path, office="demo-office").start()
    yield central
    central.stop()


@pytest.fixture
def runtime(tmp_path, live_central):
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": live_central.url,
           "KIOSK_DEVICE_TOKEN": live_central.token}  # fmt: skip
    config = load_kiosk_config(CONFIG, env=env)
    rt = KioskRuntime(config, simulate=True).start()
    yield rt
    rt.stop()


def test_online_submit_offer_phone_and_print(runtime, live_central):
    sub = submission()
    result = runtime.submit(sub)
    assert result.sent and result.reference.startswith("DEMOOFFICE-")
    offer = runtime.start_phone_handoff(result.case_id)
    assert offer is not None and offer.display_code[5] == "-"
    assert runtime.phone_status(offer.handoff_id) == "pending"
    assert runtime.print_receipt(sub, result) is None
    paper = runtime.devices.emulator("receipt-printer").receipts[-1]
    text = paper.text() if callable(getattr(paper, "text", None)) else str(paper)
    assert result.reference in text and "AB123456C" not in text


def test_paper_out_gives_the_citizen_a_sentence_in_their_language(runtime):
    sub = submission()
    result = runtime.submit(sub)
    runtime.devices.emulator("receipt-printer").host.set_fault("paper_out", True)
    message = runtime.print_receipt(sub, result)
    # the paper was out before the job: nothing printed, and the citizen is told so
    assert message == (
        "Nothing was printed. The printer needs attention. Please ask a member of staff."
    )
    welsh = type(sub)(sub.service_id, "cy", sub.kind, None, sub.answers, ())
    assert runtime.print_receipt(welsh, result) == (
        "Ni chafodd dim ei argraffu. Mae angen sylw ar yr argraffydd. Gofynnwch i aelod o staff."
    )


def test_central_down_still_gives_a_reference_but_no_phone(runtime, live_central):
    live_central.stop()
    result = runtime.submit(submission())
    assert not result.sent and result.reference
    assert runtime.start_phone_handoff(result.case_id) is None
    assert runtime.outbox.depth() == 2


def test_feedback_lands_in_the_case_history_once(runtime, live_central):
    """The one feedback question after the outcome goes to the case just submitted (a
    feedback_given event in central.feedback's shape: score 1–5, ending, comment); a second call
    without a new case sends nothing."""
    import time

    from kiosk.session import Feedback, SessionKind

    sub = submission()
    result = runtime.submit(sub)
    feedback = Feedback(5, "completed", "Quick and clear", sub.service_id, SessionKind.CITIZEN)
    runtime.record_feedback(feedback)
    runtime.record_feedback(feedback)  # nobody new submitted: nothing more to attach it to
    deadline = time.monotonic() + 10
    while runtime.outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    rows = live_central.sql(
        "SELECT e.type, e.payload, e.channel FROM case_events e JOIN cases c ON c.id = e.case_id "
        f"WHERE c.reference = '{result.reference}' ORDER BY e.received_at"
    )
    assert [r[0] for r in rows] == ["created", "submitted", "feedback_given"]
    sent = rows[1][1] if isinstance(rows[1][1], dict) else __import__("json").loads(rows[1][1])
    assert sent == {"language": sub.language}  # for the member of staff who picks it up
    payload = (
        rows[-1][1] if isinstance(rows[-1][1], dict) else __import__("json").loads(rows[-1][1])
    )
    assert payload == {"score": 5, "ending": "completed", "comment": "Quick and clear"}
    assert rows[-1][2] == "kiosk"


def test_help_before_sending_creates_the_case_with_the_answers_so_far_in_the_staff_queue(
    runtime, live_central
):
    """ "I need help" on a step: a case not yet created is created with what was answered so far
    and put in the office's staff queue (help_requested, not submitted)."""
    import json
    import time

    from kiosk.session import SessionKind, Submission

    partial = {"full_name": "Ann Example"}
    sub = Submission("change-of-address", "cy", SessionKind.CITIZEN, None, partial, (), help=True)
    result = runtime.submit(sub)
    assert result.sent and result.reference
    deadline = time.monotonic() + 10
    while runtime.outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    (case,) = live_central.sql(
        f"SELECT status, answers FROM cases WHERE reference = '{result.reference}'"
    )
    answers = case[1] if isinstance(case[1], dict) else json.loads(case[1])
    assert case[0] == "waiting_for_staff" and answers == partial
    rows = live_central.sql(
        "SELECT e.type FROM case_events e JOIN cases c ON c.id = e.case_id "
        f"WHERE c.reference = '{result.reference}' ORDER BY e.received_at"
    )
    assert [r[0] for r in rows] == ["created", "help_requested"]
