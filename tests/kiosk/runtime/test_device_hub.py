"""The device hub opens the shipped kiosk.toml's devices over real pseudo-terminals when simulating,
delivers their events, and lists what it could not open with a reason instead of failing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.runtime.devices import DeviceHub
from peripherals.escpos.receipt import Line, Receipt
from peripherals.events import CardSwiped, CodeScanned
from peripherals.magstripe.events import StaffBadge

CONFIG = Path(__file__).resolve().parents[3] / "config" / "kiosk.toml"


@pytest.fixture
def config(tmp_path):
    return load_kiosk_config(CONFIG, env={"KIOSK_DATA_DIR": str(tmp_path / "data")})


def _wait_for(events: list, kind: type, timeout: float = 5.0):
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not done.is_set():
            found = [e for e in events if isinstance(e, kind)]
            if found:
                return found[0]
            done.wait(0.02)
    finally:
        deadline.cancel()
    raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {events!r}")


def test_without_simulate_placeholders_are_listed_with_a_reason(config):
    with DeviceHub(config, simulate=False) as hub:
        states = hub.states()
        assert set(states) == {p.name for p in config.peripherals}
        for name, state in states.items():
            assert state["condition"] == "no_device"
            assert "--simulate" in state["note"], name
        assert hub.by_driver("escpos") is None


def test_simulated_devices_speak_real_bytes(config, tmp_path):
    with DeviceHub(config, simulate=True, emulator_output=tmp_path / "out") as hub:
        seen: list = []
        hub.subscribe(seen.append)
        printer = hub.by_driver("escpos")
        assert printer is not None
        printer.print_receipt(Receipt([Line("Croeso — ŵ ŷ â", bold=True)]))
        emulated = hub.emulator("receipt-printer")
        assert emulated is not None and len(emulated.receipts) == 1
        assert (tmp_path / "out" / "receipt-001.png").exists()

        hub.emulator("card-reader").swipe(";4111111111111111=3012?")
        swipe = _wait_for(seen, CardSwiped)
        assert swipe.masked_pan.endswith("1111") and "411111111111" not in swipe.masked_pan

        hub.emulator("scanner").scan("KIOSK-RESUME-1234")
        scan = _wait_for(seen, CodeScanned)
        assert scan.data == "KIOSK-RESUME-1234"

        states = hub.states()
        assert states["receipt-printer"]["kind"] == "receipt_printer"
        assert states["receipt-printer"]["condition"] == "online"
        assert states["document-printer"]["kind"] == "document_printer"
        assert states["document-printer"]["condition"] == "online"
        documents = hub.by_driver("cups")
        assert documents is not None and documents.print_pdf(b"%PDF-1.4 hub test").state == 9
        assert (tmp_path / "out" / "document-0001.pdf").read_bytes() == b"%PDF-1.4 hub test"


def test_card_reader_recognises_the_configs_badge_prefixes(config):
    """[badges] in kiosk.toml reaches the driver: a staff and a technician badge become StaffBadge
    events with their role and number; an ordinary card stays a CardSwiped."""
    with DeviceHub(config, simulate=True) as hub:
        seen: list = []
        hub.subscribe(seen.append, StaffBadge)
        hub.emulator("card-reader").swipe("%STF000042?")
        badge = _wait_for(seen, StaffBadge)
        assert (badge.role, badge.staff_id) == ("staff", "000042")
        seen.clear()
        hub.emulator("card-reader").swipe("%TEC000007?")
        badge = _wait_for(seen, StaffBadge)
        assert (badge.role, badge.staff_id) == ("technician", "000007")
