"""One citizen, three channels, one case (issue 12, "Tests": the cross-channel journey), on the
real parts: a live central (``kiosk-central serve`` in its own process), the web over real HTTP,
the real kiosk app under Xvfb with its emulated scanner, the staff console over real HTTP.

The citizen starts ``change-of-address`` on their phone's browser, answers the first step and
saves it with a PIN; at a kiosk of the same office they hold the saved page's code under the
scanner ("I have a code"), give the PIN, land on the step where they left and ask for help; a
member of staff picks the case up from the queue at the counter and closes it; the phone's status
page then says it is closed. The case's own events are the proof: one timeline whose channels run
web → kiosk → staff, in that order, each step by the actor that did it.

Failure model: any leg failing (the web refusing the save, the scan not opening the case, the help
never reaching central, the staff pickup refused) fails the test at that leg, with the page or the
screen it stopped on."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from live_central import LiveCentral

CONFIG = Path(__file__).resolve().parents[2] / "config" / "kiosk.toml"
OFFICE = "CARDIFF"
SERVICE = "change-of-address"
PASSWORD = "correct horse battery"


def _field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page)[1]  # type: ignore[index]


@pytest.fixture
def central(tmp_path) -> Iterator[LiveCentral]:  # type: ignore[no-untyped-def]
    """A live central with a member of staff of Cardiff (and a Cardiff kiosk's token)."""
    from live_central import BIN, LiveCentral

    central = LiveCentral(tmp_path, office=OFFICE).start()
    try:
        subprocess.run(
            [str(BIN / "kiosk-central"), "add-staff", "--db", central.db_url, "--username",
             "alice", "--office", OFFICE, "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, check=True,
        )  # fmt: skip
        yield central
    finally:
        central.stop()


@pytest.fixture
def office(window: Any, central: LiveCentral, tmp_path) -> Iterator[SimpleNamespace]:  # type: ignore[no-untyped-def]
    """The kiosk app of a Cardiff kiosk on that central, its scanner emulated."""
    from kiosk.config import load_kiosk_config
    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.device_flows import wire_runtime
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": central.url,
           "KIOSK_DEVICE_TOKEN": central.token}  # fmt: skip
    config = load_kiosk_config(CONFIG, env=env)
    runtime = KioskRuntime(config, simulate=True).start()
    session = Session.from_config(config, runtime.catalogue, FakeClock(start=datetime.now(UTC)))
    controller = build_ui(session, runtime.backend(), config, poll_s=0.2)
    flows = wire_runtime(controller, runtime, config)  # the scanner reaches the screens
    driver = Driver(controller).attach()
    try:
        yield SimpleNamespace(d=driver, session=session, runtime=runtime, central=central)
    finally:
        driver.detach()
        if flows is not None:
            flows.detach()
        runtime.stop()


def started_and_saved_on_the_phone(phone: httpx.Client) -> str:
    """The web leg: start at Cardiff, answer "About you", save with a PIN; the saved page's code."""
    from tests.central.shipped_support import ADDRESS_STEPS

    page = phone.get(f"/start/{SERVICE}/office?lang=en").text
    r = phone.post(
        f"/start/{SERVICE}/office?lang=en",
        data={"start": _field(page, "start"), "office": OFFICE, "postcode": ""},
    )
    assert r.status_code == 303, r.text
    page = phone.get("/case/step/about-you").text
    r = phone.post(
        "/case/step/about-you", data={"csrf": _field(page, "csrf")} | ADDRESS_STEPS["about-you"]
    )
    assert r.headers["location"] == "/case/step/new-address", r.text
    page = phone.get("/case/save").text
    saved = phone.post(
        "/case/save",
        data={"csrf": _field(page, "csrf"), "factor_kind": "pin", "factor_pin": "4821"},
    )
    assert saved.status_code == 200, saved.text
    assert 'data-testid="resume-qr"' in saved.text and "“I have a code”" in saved.text
    return re.search(r'data-testid="resume-code">([A-Z-]+)<', saved.text)[1]  # type: ignore[index]


def picked_up_and_closed_at_the_counter(base: str, reference: str) -> None:
    """The staff leg: sign in, pick the case up from the queue by its reference, close it."""
    with httpx.Client(base_url=base) as desk:
        page = desk.get("/staff/login").text
        r = desk.post(
            "/staff/login",
            data={"csrf": _field(page, "csrf"), "username": "alice", "password": PASSWORD},
        )
        assert r.status_code == 303, r.text
        queue = desk.get("/staff").text
        assert reference in queue  # waiting for staff, in Cardiff's queue
        r = desk.post("/staff/pickup", data={"csrf": _field(queue, "csrf"), "lookup": reference})
        assert r.status_code == 303, r.text
        case_page = r.headers["location"]
        page = desk.get(case_page).text
        r = desk.post(
            f"{case_page}/close", data={"csrf": _field(page, "csrf"), "outcome": "resolved"}
        )
        assert r.status_code == 303 and "error" not in r.headers["location"], r.headers


def test_started_on_the_web_helped_at_a_kiosk_finished_at_the_counter(office, artifacts):
    d, central = office.d, office.central
    with httpx.Client(base_url=central.url) as phone:
        code = started_and_saved_on_the_phone(phone)
        (case_id, reference) = central.sql("SELECT id, reference FROM cases")[0]

        # The kiosk: the phone's code under the scanner, after "I have a code"; the PIN.
        d.tap("attract:code")
        d.wait_until(lambda: d.has("resume-code"), timeout=10, what="I have a code")
        assert office.runtime.devices.emulator("scanner").scan(code)
        d.wait_until(lambda: d.has("factor:pin"), timeout=20, what="the scanned code's factors")
        d.tap("factor:pin")
        d.type_into("field:resume_pin", "4821")
        d.tap("resume-open")
        d.wait_until(lambda: d.screen == "step", timeout=30, what="the case at the kiosk")
        assert office.session.current_step.id == "new-address"  # where they left on the web
        d.screenshot(artifacts / "cross-channel-kiosk-step.png")
        d.tap("help")
        d.wait_until(lambda: d.screen == "outcome", timeout=30, what="the help outcome")
        assert reference in " ".join(d.texts())
        d.wait_until(
            lambda: central.sql("SELECT status FROM cases")[0][0] == "waiting_for_staff",
            timeout=30,
            what="the help request at central",
        )
        d.screenshot(artifacts / "cross-channel-kiosk-helped.png")

        picked_up_and_closed_at_the_counter(central.url, reference)

        status = phone.get("/case/status")  # the citizen's phone, still on its session
        assert status.status_code == 200, status.text
        assert re.search(r'data-testid="status">Closed<', status.text), status.text
        assert reference in status.text

    rows = central.sql(
        "SELECT type, channel, actor_type, payload FROM case_events WHERE case_id = :id "
        "ORDER BY seq",
        {"id": case_id},
    )
    channels = [channel for channel, _ in itertools.groupby(row[1] for row in rows)]
    assert channels == ["web", "kiosk", "staff"], rows  # one timeline, each channel once, in order
    assert [row[:3] for row in rows] == [
        ("created", "web", "citizen"),
        ("answers_changed", "web", "citizen"),  # "About you", answered on the phone
        ("handed_off", "web", "citizen"),  # saved with the PIN
        ("handed_off", "kiosk", "device"),  # the code opened at the kiosk
        ("help_requested", "kiosk", "citizen"),
        ("assigned", "staff", "staff"),
        ("closed", "staff", "staff"),
    ]
    stages = [_payload(row[3]).get("stage") for row in rows if row[0] == "handed_off"]
    assert stages == ["saved", "resumed"]


def _payload(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(str(value))
