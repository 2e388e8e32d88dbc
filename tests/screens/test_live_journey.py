"""The touchscreen on the real runtime: config/kiosk.toml, emulated devices behind ptys, a real
central service. A citizen's journey by touch ends with the case in central's database and a
receipt on the emulated printer; a second citizen continues on a phone that claims the case
with the QR's secret and is confirmed on the kiosk."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from journeys import to_check_answers

CONFIG = Path(__file__).resolve().parents[2] / "config" / "kiosk.toml"


@pytest.fixture
def live(window: Any, tmp_path) -> Iterator[SimpleNamespace]:
    from live_central import LiveCentral

    from kiosk.config import load_kiosk_config
    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    central = LiveCentral(tmp_path, office="demo-office").start()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": central.url,
           "KIOSK_DEVICE_TOKEN": central.token}  # fmt: skip
    config = load_kiosk_config(CONFIG, env=env)
    runtime = KioskRuntime(config, simulate=True).start()
    clock = FakeClock(start=datetime.now(UTC))
    session = Session.from_config(config, runtime.catalogue, clock)
    controller = build_ui(session, runtime.backend(), config, poll_s=0.2)
    driver = Driver(controller).attach()
    try:
        yield SimpleNamespace(d=driver, c=controller, session=session, runtime=runtime,
                              central=central, config=config, clock=clock,
                              today=clock.now().date())  # fmt: skip
    finally:
        driver.detach()
        runtime.stop()
        central.stop()


def test_journey_by_touch_on_the_real_runtime_and_central(live, artifacts):
    from screens.backend import Backend
    from screens.script import play_journey

    assert isinstance(live.runtime.backend(), Backend)  # the runtime has the screens' Protocol
    shots = play_journey(live.d, artifacts, language="cy", today=live.today, timeout=60)
    assert len(shots) >= 12
    rows = live.central.sql("SELECT reference, service_id, answers FROM cases")
    assert len(rows) == 1
    reference, service_id, answers = rows[0]
    assert service_id == "change-of-address" and reference.startswith("DEMOOFFICE-")
    assert "Ann Example" in str(answers) and "CF10 1AA" in str(answers)
    paper = live.runtime.devices.emulator("receipt-printer").receipts[-1]
    text = paper.text() if callable(getattr(paper, "text", None)) else str(paper)
    assert reference in text and "AB123456C" not in text
    assert live.d.screen == "attract"
    assert not any("Ann Example" in t or reference in t for t in live.d.texts())


def test_phone_claims_the_case_and_the_kiosk_confirms(live, artifacts):
    d = live.d
    to_check_answers(live)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", timeout=30, what="the outcome screen")
    assert d.find("sent").text == "Sent"
    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("qr"), timeout=30, what="the QR code")
    offer = live.c.screens["outcome"].offer
    assert d.find("display-code").text == offer.display_code
    d.screenshot(artifacts / "phone-qr.png")
    secret = offer.url.split("#", 1)[1]
    phone = httpx.post(f"{live.central.url}/h/claim", data={"secret": secret})
    assert phone.status_code in (302, 303), phone.text
    d.wait_until(lambda: d.has("phone:confirm"), timeout=30, what="the phone's claim")
    d.screenshot(artifacts / "phone-claimed.png")
    d.tap("phone:confirm")
    assert d.screen == "feedback"
    case_id = live.c.result.case_id
    client = live.runtime.client
    deadline = time.monotonic() + 20

    def confirmed_after_claim() -> bool:
        events = [(e["type"], e["channel"]) for e in client.events(case_id)]
        claim = events.index(("handed_off", "web")) if ("handed_off", "web") in events else None
        return claim is not None and ("handed_off", "kiosk") in events[claim + 1 :]

    while not confirmed_after_claim():
        assert time.monotonic() < deadline, "the confirmation never reached central"
        d.pump(10)
    rows = live.central.sql("SELECT confirmed_at, declined_at FROM handoffs")
    assert len(rows) == 1 and rows[0][0] is not None and rows[0][1] is None
