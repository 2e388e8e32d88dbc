"""Slips and resuming end to end on real parts: config/kiosk.toml with emulated devices, a real
central in its own process, stopped and started again to look like a network outage.

Offline: the slip comes out with a kiosk-made code and no answers; once the link is back the code
opens the case at central (API and phone web page). Online: central's code, working at once.
Resume at the kiosk: the right step with the answers, a wrong factor counted, and resubmission
landing on the same case (one case row, events in order)."""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from kiosk.config import load_kiosk_config
from kiosk.runtime.app import KioskRuntime
from kiosk.session import Session, State
from kiosk.session.resume import ResumedCase, ResumedSubmission

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))
from outbox_support import ANSWERS, submission  # noqa: E402

CONFIG = Path(__file__).resolve().parents[3] / "config" / "kiosk.toml"
PERSONAL = ("Ann Example", "AB123456C", "1980", "High Street", "CF10 1AA", "Cardiff")


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
    rt = KioskRuntime(load_kiosk_config(CONFIG, env=env), simulate=True)
    rt.relay.backoff_base_s, rt.relay.backoff_cap_s, rt.relay.idle_poll_s = 0.05, 0.3, 0.05
    rt.start()
    yield rt
    rt.stop()


def paper_text(runtime: KioskRuntime) -> str:
    paper = runtime.devices.emulator("receipt-printer").receipts[-1]
    return paper.text() if callable(getattr(paper, "text", None)) else str(paper)


def drained(runtime: KioskRuntime, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while runtime.outbox.depth():
        runtime.relay.wake()
        assert time.monotonic() < deadline, runtime.outbox.pending()
        time.sleep(0.05)


def test_offline_slip_then_the_code_opens_the_case_once_the_link_is_back(runtime, live_central):
    live_central.stop()
    sub = submission()
    result = runtime.submit(sub)
    assert not result.sent
    assert runtime.slip_factor(sub) == "dob"
    slip = runtime.print_slip(sub, result)
    assert slip.message is None and slip.code and not slip.registered
    assert "can't reach our office system" in slip.notice and "will work once" in slip.notice
    text = paper_text(runtime)
    assert slip.code in text and result.reference in text and "Your request is saved" in text
    assert not [word for word in PERSONAL if word in text], text
    kinds = [row["kind"] for row in runtime.outbox.pending()]
    assert kinds == ["create", "events", "resume_code"]
    raw = runtime.outbox.path.read_bytes()
    assert slip.code.encode() not in raw and slip.code.replace("-", "").encode() not in raw

    live_central.start()
    drained(runtime)
    assert runtime.outbox.dead_letters() == []
    wrong = runtime.resume(slip.code, "1980-04-03")
    assert wrong == "That does not match what you chose at the kiosk. Tries left: 4."
    [(tries,)] = live_central.sql("SELECT failed_attempts FROM resume_codes")
    assert tries == 1
    # the phone: the web page takes the same slip code with the date typed the citizen's way
    web = requests.Session()
    r = web.post(f"{live_central.url}/resume", data={"code": slip.code.lower(), "factor": "2/4/1980"},
                 allow_redirects=False, timeout=10)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/case/next", r.text[-500:]  # its step
    page = web.get(f"{live_central.url}/case/status", timeout=10)
    assert page.status_code == 200 and result.reference in page.text
    # at central's API (what a kiosk's resume uses): the case as submitted, not editable again
    opened = runtime.client.resume({"code": slip.code, "factor": "1980-04-02"})
    assert opened["case_id"] == result.case_id and opened["answers"]["postcode"] == "CF10 1AA"
    again = runtime.resume(slip.code, "02/04/1980")
    assert isinstance(again, str) and f"{result.reference} has already been sent" in again


def test_online_slip_carries_centrals_code_which_works_at_once(runtime, live_central):
    sub = submission()
    result = runtime.submit(sub)
    assert result.sent
    slip = runtime.print_slip(sub, result)
    assert slip.registered and slip.message is None and "works now" in slip.notice
    text = paper_text(runtime)
    assert slip.code in text and result.reference in text
    assert not [word for word in PERSONAL if word in text], text
    assert runtime.outbox.depth() == 0
    [(made_by,)] = live_central.sql(
        "SELECT payload FROM case_events WHERE type='handed_off' ORDER BY seq DESC LIMIT 1"
    )
    assert "central" in str(made_by)


def test_pin_slip_asks_for_four_digits_first(runtime):
    sub = type(submission())("book-jobcentre-appointment", "en", submission().kind, None, {}, ())
    assert runtime.slip_factor(sub) == "pin"
    result = runtime.submit(submission())
    refused = runtime.print_slip(sub, result, pin="12")
    assert refused.code is None and refused.message == "Choose a PIN of 4 digits."


def open_case(runtime: KioskRuntime, answers: dict) -> tuple[str, str]:
    """A case started elsewhere (open, half answered) with a slip code protected by a PIN."""
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address", "answers": answers,
            "occurred_at": datetime.now(UTC).isoformat()}  # fmt: skip
    runtime.client.create_case(body, f"create-{case_id}")
    code = runtime.client.create_resume_code(
        case_id, {"factor_kind": "pin", "factor_value": "4821"}
    )
    return case_id, code["code"]


def test_resume_at_the_kiosk_opens_the_right_step_and_resubmits_the_same_case(
    runtime, live_central
):
    about_you = {k: ANSWERS[k] for k in ("full_name", "ni_number", "date_of_birth")}
    case_id, code = open_case(runtime, about_you)
    assert runtime.resume(code, "1111", "cy").startswith("Nid yw hynny’n cyfateb")
    resumed = runtime.resume(code.replace("-", " ").lower(), "4821")
    assert isinstance(resumed, ResumedCase) and resumed.case_id == case_id

    session = Session(runtime.catalogue, languages=("en", "cy"))
    session.resume_case(resumed, language="en")
    assert session.state is State.STEP and session.current_step.id == "new-address"
    assert session.answers() == about_you
    new_address = {k: ANSWERS[k] for k in ("address_line_1", "town", "postcode", "date_moved")}
    assert session.answer(new_address) == {}
    assert session.answer({"others_on_benefits": False}) == {}
    assert session.answer({"contact_by": "post"}) == {}
    sub = session.confirm_answers()
    assert isinstance(sub, ResumedSubmission)
    result = runtime.submit(sub)
    assert result.sent and result.case_id == case_id and result.reference == resumed.reference

    rows = live_central.sql("SELECT id, status FROM cases")
    assert len(rows) == 1 and rows[0][1] == "submitted"
    types = [t for (t,) in live_central.sql("SELECT type FROM case_events ORDER BY seq")]
    assert types == ["created", "handed_off", "handed_off", "answers_changed", "submitted"]
    [(tries,)] = live_central.sql("SELECT failed_attempts FROM resume_codes")
    assert tries == 1
    [(answers,)] = live_central.sql("SELECT answers FROM cases")
    assert "CF10 1AA" in str(answers) and "Ann Example" in str(answers)
    done = runtime.resume(code, "4821")  # submitted now: not reopened, and said so
    assert (
        done == f"Your request {resumed.reference} has already been sent, so there is nothing "
        "more to do here. A member of staff can tell you how it is going."
    )
    live_central.stop()
    offline = runtime.resume(code, "4821")
    assert offline.startswith("This kiosk can't reach our office system just now")
