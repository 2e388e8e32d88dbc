"""The kiosk's phone handoff: polling at the server's pace (slow_down adds 5 s), expiry on the
kiosk's own clock, network failures that are not verdicts — and the whole flow on a real central:
the phone claims with the link's secret, the citizen confirms on the kiosk, one timeline."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from kiosk.link import CentralClient, Offline
from kiosk.runtime.phone import TYPED_FALLBACK, PhoneHandoff, PhoneOffer, typed_fallback
from kiosk.ui.i18n import load_translator
from tests.support.clocks import StepClock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))
from outbox_support import kiosk_parts, submission  # noqa: E402


class Api:
    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.polls = 0
        self.answers: list[str] = []

    def create_handoff(self, case_id):
        return {"id": "h1", "display_code": "BCDF-GHJK", "verification_uri_complete":
                "https://c/h#s3cret", "expires_in": 60, "interval": 5}  # fmt: skip

    def handoff_status(self, handoff_id):
        self.polls += 1
        item = self.statuses.pop(0)
        if isinstance(item, Exception):
            raise item
        return {"status": item, "interval": 5}

    def confirm_handoff(self, handoff_id):
        self.answers.append("confirm")

    def decline_handoff(self, handoff_id):
        self.answers.append("decline")


def test_polls_at_the_interval_and_slows_down_when_told():
    clock, api = StepClock(0.0), Api(["slow_down", "pending", "claimed"])
    h = PhoneHandoff(api, "case", monotonic=clock)
    offer = h.start()
    assert "s3cret" not in repr(offer)
    assert h.poll() == "pending" and api.polls == 0  # too early: no request
    clock.now = 5
    assert h.poll() == "pending" and h.interval == 10  # slow_down: +5 s
    clock.now = 14
    h.poll()
    assert api.polls == 1  # still waiting out the longer interval
    clock.now = 15
    assert h.poll() == "pending" and api.polls == 2
    clock.now = 25
    assert h.poll() == "claimed"
    assert h.answer(True) == "confirmed" and api.answers == ["confirm"]


def test_offline_is_not_a_verdict_and_expiry_is_local():
    clock, api = StepClock(0.0), Api([Offline("down")])
    h = PhoneHandoff(api, "case", monotonic=clock)
    h.start()
    clock.now = 5
    assert h.poll() == "pending"
    clock.now = 61
    assert h.poll() == "expired" and api.polls == 1


def test_phone_claims_kiosk_confirms_one_timeline(live_central, tmp_path):
    outbox, relay, desk = kiosk_parts(tmp_path, live_central.url, live_central.token)
    case = desk.submit(submission())
    while relay.run_once():
        pass
    client = CentralClient(live_central.url, live_central.token)
    h = PhoneHandoff(client, case.case_id)
    offer = h.start()
    assert len(offer.display_code) == 15 and offer.display_code[5] == offer.display_code[10] == "-"
    secret = offer.url.split("#", 1)[1]
    assert len(secret) >= 22  # ≥ 128 bits, url-safe base64

    phone = httpx.Client(base_url=live_central.url, follow_redirects=False)
    r = phone.post("/h/claim", data={"secret": secret})
    assert r.status_code in (302, 303), r.text
    assert "case_session" in r.headers.get("set-cookie", "")
    deadline = time.monotonic() + 30
    while h.poll() != "claimed":
        assert time.monotonic() < deadline, h.status
        time.sleep(0.5)
    assert h.answer(True) == "confirmed"
    again = httpx.Client(base_url=live_central.url).post("/h/claim", data={"secret": secret})
    assert again.status_code >= 400  # single use

    events = client.events(case.case_id)
    assert [(e["type"], e["channel"]) for e in events] == [
        ("created", "kiosk"),
        ("submitted", "kiosk"),
        ("handed_off", "kiosk"),
        ("handed_off", "web"),
        ("handed_off", "kiosk"),
    ]


@pytest.mark.parametrize("accept", [False])
def test_declined_claim_is_voided(live_central, tmp_path, accept):
    outbox, relay, desk = kiosk_parts(tmp_path, live_central.url, live_central.token)
    case = desk.submit(submission())
    while relay.run_once():
        pass
    client = CentralClient(live_central.url, live_central.token)
    h = PhoneHandoff(client, case.case_id)
    offer = h.start()
    httpx.Client(base_url=live_central.url).post(
        "/h/claim", data={"secret": offer.url.split("#")[1]}
    )
    assert h.answer(accept) == "declined"
    assert client.handoff_status(offer.handoff_id)["status"] == "declined"


def test_the_typed_fallback_names_the_address_without_the_secret_and_the_one_code():
    translator = load_translator()
    offer = PhoneOffer("h1", "BCDF-MCVM-THHJ", "https://c.example/h?lang=cy#s3cret", 600)
    assert offer.address == "https://c.example/h?lang=cy"
    english = typed_fallback(offer, translator.bind("en"))
    assert english == "Or go to https://c.example/h?lang=cy and enter BCDF-MCVM-THHJ"
    welsh = typed_fallback(offer, translator.bind("cy"))
    assert welsh != english and translator.gettext("cy", TYPED_FALLBACK) != TYPED_FALLBACK
    assert "https://c.example/h?lang=cy" in welsh and welsh.endswith(" BCDF-MCVM-THHJ")
    assert "s3cret" not in english + welsh
