"""The device flows wired the way the app wires them (:func:`screens.device_flows.wire_runtime`) to
the real kiosk runtime — emulated devices on pseudo-terminals, the outbox, a live central service —
and the proof read from central's own database: the assisted case's events name the staff member."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_device_flows_support import (
    STAFF_ID,
    STAFF_PIN,
    STAFF_TRACK,
    TECH_ID,
    TECH_PIN,
    TECH_TRACK,
    badge_in,
    to_outcome,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Any]:
    sys.path.insert(0, str(ROOT / "tests" / "kiosk"))
    from live_central import LiveCentral

    (tmp_path / "central").mkdir()
    live = LiveCentral(tmp_path / "central", office="demo-office").start()
    yield live
    live.stop()


@pytest.fixture
def app(window: Any, tmp_path: Path, central: Any) -> Iterator[SimpleNamespace]:
    from kiosk.badge_pins import PIN_FILE_NAME, PinBook, badge_key
    from kiosk.config import load_kiosk_config
    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.device_flows import wire_runtime
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": central.url,
           "KIOSK_DEVICE_TOKEN": central.token}  # fmt: skip
    config = load_kiosk_config(ROOT / "config" / "kiosk.toml", env=env)
    book = PinBook(config.data_dir / PIN_FILE_NAME)  # as `kiosk badge-pin` leaves it
    book.set_pin(badge_key("staff", STAFF_ID), STAFF_PIN)
    book.set_pin(badge_key("technician", TECH_ID), TECH_PIN)
    runtime = KioskRuntime(config, simulate=True, emulator_output=tmp_path / "paper").start()
    clock = FakeClock(start=datetime.now(UTC))
    session = Session.from_config(config, runtime.catalogue, clock)
    controller = build_ui(session, runtime, config, poll_s=0.05)
    driver = Driver(controller).attach()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)  # as `kiosk run` logs; the diagnostics log tail shows INFO lines
    flows = wire_runtime(controller, runtime, config)
    assert flows is not None
    yield SimpleNamespace(d=driver, c=controller, session=session, runtime=runtime, flows=flows,
                          hub=runtime.devices, today=clock.now().date())  # fmt: skip
    flows.detach()
    driver.detach()
    runtime.stop()
    root.setLevel(level)


def test_an_assisted_case_reaches_central_as_the_staff_members(app, central, artifacts):
    d = app.d
    badge_in(app, app.hub, STAFF_TRACK, STAFF_PIN)
    d.wait_until(lambda: d.screen == "language", 10, "the language screen")
    to_outcome(d, app.today)
    d.screenshot(artifacts / "assisted-outcome.png")
    assert d.find("assisted-banner").text == f"Assisted by staff member {STAFF_ID}"
    assert d.find("sent").text == "Sent"
    events = central.sql("SELECT type, channel, actor_type, actor_id FROM case_events")
    assert events and all(e[1:] == ("assisted", "staff", STAFF_ID) for e in events), events
    reference = d.find("reference").text.split()[-1]
    d.tap("outcome:print")  # the real runtime prints a slip with a code to carry on later
    d.tap("slip:print")
    d.wait_until(lambda: d.has("slip:continue"), 20, "the slip")
    paper = app.hub.emulator("receipt-printer").receipts
    assert paper and reference in paper[-1].text()


def test_a_technician_sees_the_live_link_and_leaves_no_session(app, artifacts):
    d = app.d
    badge_in(app, app.hub, TECH_TRACK, TECH_PIN)
    d.wait_until(lambda: d.screen == "diagnostics", 10, "diagnostics")
    screen = app.flows.diagnostics
    d.wait_until(lambda: not screen.running, 20, "the link check")
    assert d.find("diag-central").text.startswith("Central answers in ")
    assert d.find("diag-outbox").text == "Outbox: 0 waiting to be sent"
    assert "idle, online" in d.find("diag-device:card-reader").text
    d.tap("diag:log")
    assert "diagnostics" in d.find("diag-log").text  # the app's own log, via the tail
    d.screenshot(artifacts / "diagnostics-log.png")
    d.tap("diag:home")
    d.tap("diag:exit")
    d.wait_until(lambda: d.screen == "attract", 10, "attract")
    assert app.session.kind is None
