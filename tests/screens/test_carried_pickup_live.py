"""Preferences that travel, on the real app: config/kiosk.toml, emulated devices (the scanner
too) behind ptys, a real central service (issue 19 item 6, issue 12 item 3).

* A citizen in Welsh with the largest-but-one text and dark high-contrast colours prints a slip:
  its code carries them (on the code's row only), and the next person gets a fresh kiosk.
* A slip's code of a case still open, held under the scanner, opens the case after the second
  factor in Welsh, at that text size, in those colours — and after the idle wipe the next person
  has the defaults again.
* The phone handoff from the outcome screen carries them on the handoff's row.
* A case handed from a kiosk to a phone and saved on the phone's web page is picked up at the kiosk
  by scanning the code the saved page shows, the same way."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from journeys import step_answers

CONFIG = Path(__file__).resolve().parents[2] / "config" / "kiosk.toml"
CARRIED = {"text_size": 2, "theme": "high-contrast-dark"}


@pytest.fixture
def live(window: Any, tmp_path) -> Iterator[SimpleNamespace]:
    from live_central import LiveCentral

    from kiosk.config import load_kiosk_config
    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.device_flows import wire_runtime
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
    flows = wire_runtime(controller, runtime, config)  # the scanner reaches the screens
    driver = Driver(controller).attach()
    try:
        yield SimpleNamespace(d=driver, c=controller, session=session, runtime=runtime,
                              central=central, today=clock.now().date())  # fmt: skip
    finally:
        driver.detach()
        if flows is not None:
            flows.detach()
        runtime.stop()
        central.stop()


def defaults(live: SimpleNamespace) -> bool:
    ctx = live.c.ctx
    return ctx.settings.is_default and ctx.lang == "en"


def chosen_at_the_kiosk(live: SimpleNamespace) -> None:
    """What the accessibility panel does: the settings change and the screen is drawn again."""
    settings = live.c.ctx.settings
    settings.set_text_size(CARRIED["text_size"])
    settings.set_theme(CARRIED["theme"])
    live.c.refresh()


def scan_and_open(
    live: SimpleNamespace, code: str, factor: str, value: str | dict, *, under_code: bool = False
) -> None:
    """The code held under the scanner — on the welcome screen, or after "I have a code"."""
    d = live.d
    if under_code:
        d.tap("attract:code")
        d.wait_until(lambda: d.has("resume-code"), timeout=10, what="I have a code")
    assert live.runtime.devices.emulator("scanner").scan(code)
    # the scan reaches the screen through the device bus: wait for what it brings (the factor
    # choice), not for the screen, which "I have a code" already shows
    d.wait_until(lambda: d.screen == "resume" and d.has(f"factor:{factor}"), timeout=20,
                 what="the scanned code's factor step")  # fmt: skip
    d.tap(f"factor:{factor}")
    if isinstance(value, dict):
        for part, typed in value.items():
            d.type_into(f"field:resume_dob:{part}", typed)
    else:
        d.type_into(f"field:resume_{factor}", value)
    d.tap("resume-open")
    d.wait_until(lambda: d.screen in ("step", "check_answers"), timeout=30, what="the case")


def restored(live: SimpleNamespace, artifacts: Path, name: str) -> None:
    """Welsh, the carried size and colours, on the step shown — then the wipe brings defaults."""
    d, ctx = live.d, live.c.ctx
    assert (ctx.lang, ctx.settings.text_size, ctx.settings.theme) == (
        "cy",
        CARRIED["text_size"],
        CARRIED["theme"],
    )
    assert live.session.language == "cy"
    assert d.find("title").font_size > ctx.geometry.font_px(1.0) * 1.4  # larger than standard
    assert ctx.colour("background") == (0.0, 0.0, 0.0, 1.0)  # the dark theme is what is drawn
    assert "Parhau" in " ".join(d.texts())  # the step's Continue, in Welsh
    d.screenshot(artifacts / f"{name}.png")
    live.session.wipe("idle")
    d.wait_until(lambda: d.screen == "attract", timeout=10, what="attract after the wipe")
    assert defaults(live)


def test_a_slip_printed_in_welsh_large_and_dark_carries_them(live, artifacts):
    d, s = live.d, live.session
    s.start()
    s.choose_language("cy")
    chosen_at_the_kiosk(live)
    s.choose_service("change-of-address")
    for values in step_answers(live.today):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", timeout=30, what="the outcome screen")
    case_id = live.c.result.case_id
    d.wait_until(lambda: live.runtime.desk.is_sent(case_id), timeout=30, what="the case sent")
    d.tap("outcome:print")
    d.wait_until(lambda: d.screen == "resume_factor", timeout=10, what="the slip screen")
    d.tap("slip:print")
    d.wait_until(lambda: d.has("slip-code"), timeout=30, what="the printed slip")
    d.screenshot(artifacts / "carried-slip-printed.png")
    rows = live.central.sql("SELECT preferences FROM resume_codes")
    assert len(rows) == 1
    kept = rows[0][0] if isinstance(rows[0][0], dict) else json.loads(rows[0][0])
    assert kept["language"] == "cy" and kept["text_size"] == 2
    assert kept["theme"] == "high-contrast-dark" and kept["reach_mode"] is False
    assert "high-contrast-dark" not in str(live.central.sql("SELECT * FROM cases"))
    assert "high-contrast-dark" not in str(live.central.sql("SELECT * FROM case_events"))
    s.wipe("idle")  # the citizen walks away with the slip
    d.wait_until(lambda: d.screen == "attract", timeout=10, what="attract")
    assert defaults(live)  # the next person does not inherit them


def test_the_phone_handoff_from_the_outcome_screen_carries_them(live, artifacts):
    d, s = live.d, live.session
    s.start()
    s.choose_language("cy")
    chosen_at_the_kiosk(live)
    s.choose_service("change-of-address")
    for values in step_answers(live.today):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", timeout=30, what="the outcome screen")
    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("qr"), timeout=30, what="the QR code")
    rows = live.central.sql("SELECT preferences FROM handoffs")
    assert len(rows) == 1
    kept = rows[0][0] if isinstance(rows[0][0], dict) else json.loads(rows[0][0])
    assert (kept["language"], kept["text_size"], kept["theme"]) == ("cy", 2, "high-contrast-dark")
    assert "high-contrast-dark" not in str(live.central.sql("SELECT * FROM case_events"))
    s.wipe("idle")
    d.wait_until(lambda: d.screen == "attract", timeout=10, what="attract")
    assert defaults(live)


def test_a_slip_code_opens_its_case_in_the_carried_settings(live, artifacts):
    from kiosk.runtime.resume import SecondFactor
    from kiosk.ui.accessibility import AccessibilitySettings
    from kiosk.ui.preferences import carried

    runtime = live.runtime
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address",
            "answers": step_answers(live.today)[0]}  # fmt: skip
    runtime.client.create_case(body, f"create-{case_id}")
    theirs = AccessibilitySettings(text_size=2, theme="high-contrast-dark")
    runtime.slips.carry(case_id, carried(theirs, "cy"))  # as the slip screen hands them over
    slip = runtime.slips.issue(case_id, SecondFactor("pin", "4821"), case_sent=True)
    assert slip.registered
    assert defaults(live)
    scan_and_open(live, slip.code, "pin", "4821")
    assert live.session.current_step is not None and live.session.current_step.id != "about-you"
    restored(live, artifacts, "carried-slip-opened")


def test_a_case_saved_on_the_phone_is_picked_up_by_scanning_its_code(live, artifacts):
    base, device = live.central.url, {"Authorization": f"Bearer {live.central.token}"}
    first = step_answers(live.today)[0]
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address", "answers": first}
    made = httpx.post(f"{base}/api/v1/cases", json=body,
                      headers=device | {"Idempotency-Key": case_id})  # fmt: skip
    assert made.status_code == 201, made.text
    offer = httpx.post(f"{base}/api/v1/cases/{case_id}/handoffs",
                       json={"preferences": CARRIED | {"language": "cy"}}, headers=device)  # fmt: skip
    assert offer.status_code == 201, offer.text
    with httpx.Client(base_url=base) as phone:
        secret = offer.json()["verification_uri_complete"].split("#", 1)[1]
        assert phone.post("/h/claim", data={"secret": secret}).status_code in (302, 303)
        confirm = httpx.post(f"{base}/api/v1/handoffs/{offer.json()['id']}/confirm", headers=device)
        assert confirm.status_code == 200, confirm.text
        page = phone.get("/case/save?lang=cy").text
        csrf = re.search(r'name="csrf" value="([^"]*)"', page)[1]
        saved = phone.post("/case/save?lang=cy",
                           data={"csrf": csrf, "factor_kind": "pin", "factor_pin": "4821"})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert 'data-testid="resume-qr"' in saved.text  # the page shows the code as a QR code
    code = re.search(r'data-testid="resume-code">([A-Z-]+)<', saved.text)[1]
    assert defaults(live)
    scan_and_open(live, code, "pin", "4821", under_code=True)
    assert live.session.current_step is not None and live.session.current_step.id != "about-you"
    restored(live, artifacts, "carried-web-pickup")
