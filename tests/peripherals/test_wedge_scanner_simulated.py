"""Issue 15 leftover: ``kiosk run --simulate`` starts the keyboard-wedge scanner emulator too.

The shipped kiosk.toml names a wedge scanner (``emulator:scanner-wedge``); simulating, the device
hub serves it on a pseudo-terminal that sends kernel ``input_event`` records, and the scanner driver
reads them through peripherals.wedge as it would a grabbed /dev/input node. What a person sees: the
device is listed online as a scanner, and a code "typed" by the scanner arrives as one scan.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.runtime.devices import DeviceHub
from peripherals.emulators.registry import EMULATORS
from peripherals.events import CodeScanned
from peripherals.wedge.keyboard import is_evdev_port

CONFIG = Path(__file__).resolve().parents[2] / "config" / "kiosk.toml"


@pytest.fixture
def config(tmp_path):
    return load_kiosk_config(CONFIG, env={"KIOSK_DATA_DIR": str(tmp_path / "data")})


def _scans(seen: list, count: int, timeout: float = 5.0) -> list[CodeScanned]:
    done = threading.Event()
    timer = threading.Timer(timeout, done.set)
    timer.start()
    try:
        while not done.is_set():
            found = [e for e in seen if isinstance(e, CodeScanned)]
            if len(found) >= count:
                return found
            done.wait(0.02)
    finally:
        timer.cancel()
    raise AssertionError(f"fewer than {count} scans within {timeout} s; saw {seen!r}")


def test_the_shipped_config_has_a_wedge_scanner_placeholder(config) -> None:
    wedge = [p for p in config.peripherals if p.port == "emulator:scanner-wedge"]
    assert [p.driver for p in wedge] == ["scanner"]
    assert "scanner-wedge" in EMULATORS


def test_the_simulated_kiosk_reads_the_wedge_scanners_keystrokes(config) -> None:
    with DeviceHub(config, simulate=True) as hub:
        name = next(p.name for p in config.peripherals if p.port == "emulator:scanner-wedge")
        assert name not in hub.unavailable
        state = hub.states()[name]
        assert (state["kind"], state["condition"]) == ("scanner", "online")
        port = hub.device(name).transport.url  # type: ignore[union-attr]
        assert is_evdev_port(port) and port.endswith(hub.emulator_port(name) or "?")
        seen: list = []
        hub.subscribe(seen.append)
        emulator = hub.emulator(name)
        assert emulator is not None and emulator.scan("KIOSK-RESUME-4321")
        assert emulator.scan("Ref ABCD-1234")  # a space and capitals: shift state decoded
        scans = _scans(seen, 2)
        assert [(s.device, s.data) for s in scans] == [
            (name, "KIOSK-RESUME-4321"),
            (name, "Ref ABCD-1234"),
        ]
