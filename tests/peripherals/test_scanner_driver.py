"""The scanner driver against its emulators (line and SSI mode) over real pseudo-terminals."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peripherals.emulators.control import send_command
from peripherals.emulators.pty_host import PtyHost
from peripherals.emulators.scanner import ScannerEmulator, SsiScannerEmulator
from peripherals.errors import ConfigurationError, DeviceFault, DeviceTimeout
from peripherals.events import CodeScanned, EventBus, ReadError
from peripherals.model import Condition, DeviceState
from peripherals.registry import create_device
from peripherals.scanner import NotSupported, Scanner
from peripherals.transport import Backoff

SECRET = "https://kiosk.example/h#s3cr3t-handoff-token"


class Rig:
    def __init__(self, emulator, host: PtyHost, scanner: Scanner, bus: EventBus) -> None:
        self.emulator, self.host, self.scanner, self.bus = emulator, host, scanner, bus
        self.events: list[object] = []
        bus.subscribe(self.events.append)

    def wait_for(self, kind: type, timeout: float = 3.0, where=lambda e: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if isinstance(event, kind) and where(event):
                    self.events.remove(event)
                    return event
            self.bus.drain(0.05)
        raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events}")

    def wait_until(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.bus.drain(0.02)
            if predicate():
                return
        raise AssertionError("condition not reached")


def _rig(tmp_path, emulator, mode: str) -> Rig:
    host = PtyHost(emulator, link=tmp_path / "scanner", garble_rate=0.0)
    host.start()
    bus = EventBus(threaded=False)
    scanner = Scanner(
        "scanner",
        host.url,
        mode=mode,
        bus=bus,
        command_timeout=0.5,
        packet_deadline=0.1,
        transport_options={"backoff": Backoff(base=0.02, cap=0.1)},
    )
    scanner.open()
    return Rig(emulator, host, scanner, bus)


@pytest.fixture
def line(tmp_path) -> Iterator[Rig]:
    rig = _rig(tmp_path, ScannerEmulator(), "line")
    yield rig
    rig.scanner.close()
    rig.emulator.close_control()
    rig.host.stop()


@pytest.fixture
def ssi_rig(tmp_path) -> Iterator[Rig]:
    rig = _rig(tmp_path, SsiScannerEmulator(), "ssi")
    yield rig
    rig.scanner.close()
    rig.emulator.close_control()
    rig.host.stop()


def test_line_mode_code_becomes_an_event_and_is_never_logged(line: Rig, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    assert line.emulator.scan(SECRET)
    event = line.wait_for(CodeScanned)
    assert event.data == SECRET and event.symbology is None
    assert SECRET not in repr(event) and "s3cr3t" not in caplog.text
    assert line.scanner.statistics.get("scans") == 1


def test_line_mode_disable_gates_events_and_beep_is_not_supported(line: Rig) -> None:
    line.scanner.disable()
    line.emulator.scan("IGNORED")
    line.wait_until(lambda: line.scanner.ignored == 1)
    assert not any(isinstance(e, CodeScanned) for e in line.events)
    line.scanner.enable()
    line.emulator.scan("SEEN")
    assert line.wait_for(CodeScanned).data == "SEEN"
    with pytest.raises(NotSupported, match="SSI"):
        line.scanner.beep()
    assert line.emulator.received == b""  # nothing was written to a line-mode scanner


def test_line_mode_garbled_then_recovers(line: Rig) -> None:
    line.host.set_fault("garbled", True)
    line.emulator.scan("ABC123")
    assert line.wait_for(ReadError).reason == "unreadable characters in the code"
    line.host.set_fault("garbled", False)
    line.emulator.scan("ABC123")
    assert line.wait_for(CodeScanned).data == "ABC123"


def test_line_mode_unplug_and_replug(line: Rig) -> None:
    line.host.set_fault("unplug", True)
    line.wait_until(lambda: line.scanner.condition is Condition.NO_DEVICE)
    assert line.scanner.state is DeviceState.ERROR
    assert not line.scanner.check_health("internal").ok
    line.host.set_fault("unplug", False)
    line.wait_until(lambda: line.scanner.condition is Condition.ONLINE)
    assert line.scanner.check_health("internal").ok
    line.emulator.scan("BACK")
    assert line.wait_for(CodeScanned).data == "BACK"


def test_ssi_decode_is_acked_with_symbology(ssi_rig: Rig) -> None:
    assert ssi_rig.emulator.scan("CASE-7Q3K")
    event = ssi_rig.wait_for(CodeScanned)
    assert (event.data, event.symbology) == ("CASE-7Q3K", "qr")
    ssi_rig.wait_until(lambda: ssi_rig.emulator.acks_from_host == 1)


def test_ssi_long_code_spans_packets(ssi_rig: Rig) -> None:
    long_code = "X" * 600
    ssi_rig.emulator.scan(long_code)
    assert ssi_rig.wait_for(CodeScanned).data == long_code
    ssi_rig.wait_until(lambda: ssi_rig.emulator.acks_from_host == 3)


def test_ssi_enable_disable_beep_are_acked_commands(ssi_rig: Rig) -> None:
    # init replay: decode format packeted (PARAM_SEND C6), then scan enable
    ssi_rig.wait_until(lambda: ssi_rig.emulator.commands == [0xC6, ssi_rig_enable()])
    ssi_rig.scanner.disable()
    assert ssi_rig.emulator.enabled is False
    assert not ssi_rig.emulator.scan("NOPE")
    ssi_rig.scanner.enable()
    assert ssi_rig.emulator.enabled is True
    ssi_rig.scanner.beep()
    assert ssi_rig.emulator.beeps == 1
    result = ssi_rig.scanner.check_health("external")
    assert result.ok and ssi_rig.emulator.beeps == 2


def ssi_rig_enable() -> int:
    from peripherals.scanner import ssi

    return ssi.SCAN_ENABLE


def test_ssi_nak_raises_device_fault_then_recovers(ssi_rig: Rig) -> None:
    ssi_rig.host.set_fault("nak", True)
    with pytest.raises(DeviceFault, match="refused"):
        ssi_rig.scanner.beep()
    assert not ssi_rig.scanner.check_health("internal").ok
    ssi_rig.host.set_fault("nak", False)
    ssi_rig.scanner.beep()
    assert ssi_rig.scanner.check_health("internal").ok


def test_ssi_bad_checksum_is_nakked_and_resent(ssi_rig: Rig) -> None:
    ssi_rig.host.set_fault("bad_checksum", True)
    ssi_rig.emulator.scan("RESENT")
    assert ssi_rig.wait_for(CodeScanned).data == "RESENT"
    assert ssi_rig.emulator.naks_from_host == 1
    assert ssi_rig.scanner.statistics.get("read_errors") == 1


def test_ssi_offline_times_out_marks_offline_and_recovers(ssi_rig: Rig) -> None:
    ssi_rig.host.set_fault("offline", True)
    with pytest.raises(DeviceTimeout):
        ssi_rig.scanner.beep()
    assert ssi_rig.scanner.condition is Condition.OFFLINE
    assert ssi_rig.scanner.state is DeviceState.ERROR
    ssi_rig.host.set_fault("offline", False)
    assert ssi_rig.scanner.check_health("internal").ok
    assert ssi_rig.scanner.state is DeviceState.IDLE


def test_ssi_unplug_replug_replays_enable_state(ssi_rig: Rig) -> None:
    ssi_rig.scanner.disable()
    ssi_rig.host.set_fault("unplug", True)
    ssi_rig.wait_until(lambda: ssi_rig.scanner.condition is Condition.NO_DEVICE)
    ssi_rig.emulator.enabled = True  # a power-cycled scanner forgets
    ssi_rig.host.set_fault("unplug", False)
    ssi_rig.wait_until(lambda: ssi_rig.emulator.enabled is False)
    assert ssi_rig.scanner.statistics.get("reconnects") == 1


def test_control_socket_scans(ssi_rig: Rig) -> None:
    assert send_command(ssi_rig.host.url, "scan FROM-SOCKET") == "ok scanned"
    assert ssi_rig.wait_for(CodeScanned).data == "FROM-SOCKET"
    assert send_command(ssi_rig.host.url, "fault nak on") == "ok fault nak on"
    assert send_command(ssi_rig.host.url, "jump").startswith("error: unknown command")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=200))
def test_garbage_never_kills_the_ssi_reader_thread(ssi_rig: Rig, garbage: bytes) -> None:
    ssi_rig.emulator.send(garbage)
    time.sleep(0.15)  # past the packet deadline, so a fake long length cannot hold the next scan
    ssi_rig.emulator.scan("AFTER-NOISE")
    assert ssi_rig.wait_for(CodeScanned).data == "AFTER-NOISE"
    assert ssi_rig.scanner.transport._thread.is_alive()
    ssi_rig.events.clear()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=200))
def test_garbage_never_kills_the_line_reader_thread(line: Rig, garbage: bytes) -> None:
    line.emulator.send(garbage + b"\r\n")
    line.emulator.scan("AFTER-NOISE")
    # noise that happens to be valid text is a code as far as a line-mode scanner can tell
    line.wait_for(CodeScanned, where=lambda e: e.data == "AFTER-NOISE")
    assert line.scanner.transport._thread.is_alive()
    line.events.clear()


def test_registry_options(tmp_path) -> None:
    s = create_device("scanner", "s", "loop://", {"mode": "ssi"}, tmp_path, None)
    assert isinstance(s, Scanner) and s.mode == "ssi"
    with pytest.raises(ConfigurationError, match="mode"):
        create_device("scanner", "s", "loop://", {"mode": "usb-hid"}, tmp_path, None)


def test_line_mode_offline_and_slow(line: Rig) -> None:
    line.host.set_fault("offline", True)
    assert not line.emulator.scan("LOST")
    line.host.set_fault("offline", False)
    line.host.set_fault("slow", True)
    assert line.emulator.scan("SLOW-BUT-WHOLE-" + "9" * 60)
    assert line.wait_for(CodeScanned).data == "SLOW-BUT-WHOLE-" + "9" * 60
    line.host.set_fault("slow", False)


def test_ssi_garbled_code_is_a_read_error_then_recovers(ssi_rig: Rig) -> None:
    ssi_rig.host.set_fault("garbled", True)
    ssi_rig.emulator.scan("ABCDEF")
    assert ssi_rig.wait_for(ReadError).reason == "unreadable characters in the code"
    ssi_rig.host.set_fault("garbled", False)
    ssi_rig.emulator.scan("ABCDEF")
    assert ssi_rig.wait_for(CodeScanned).data == "ABCDEF"
