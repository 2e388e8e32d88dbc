"""The card reader driver against its emulator over a real pseudo-terminal."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peripherals.emulators.control import send_command
from peripherals.emulators.magstripe_reader import CardReaderEmulator, tracks_for
from peripherals.emulators.pty_host import PtyHost
from peripherals.events import CardSwiped, EventBus, ReadError
from peripherals.magstripe.badges import BadgeRules
from peripherals.magstripe.driver import CardReader
from peripherals.magstripe.events import StaffBadge
from peripherals.model import Condition, DeviceState
from peripherals.registry import create_device
from peripherals.transport import Backoff

PAN = "4539578763621486"


class Rig:
    def __init__(
        self, emulator: CardReaderEmulator, host: PtyHost, reader: CardReader, bus: EventBus
    ):
        self.emulator, self.host, self.reader, self.bus = emulator, host, reader, bus
        self.events: list[object] = []
        bus.subscribe(self.events.append)

    def wait_for(self, kind: type, timeout: float = 3.0) -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if isinstance(event, kind):
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

    def clear(self) -> None:
        self.bus.drain(0.05)
        self.events.clear()


@pytest.fixture
def rig(tmp_path) -> Iterator[Rig]:
    emulator = CardReaderEmulator()
    host = PtyHost(emulator, link=tmp_path / "reader")
    host.start()
    bus = EventBus(threaded=False)
    reader = CardReader(
        "card-reader",
        host.url,
        bus=bus,
        badges=BadgeRules.from_options(staff=["603912"], technician=["603913"]),
        transport_options={"backoff": Backoff(base=0.02, cap=0.1)},
    )
    reader.open()
    try:
        yield Rig(emulator, host, reader, bus)
    finally:
        reader.close()
        emulator.close_control()
        host.stop()


def test_swipe_becomes_a_masked_card_event_and_the_pan_is_nowhere(rig: Rig, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    assert rig.reader.state is DeviceState.IDLE and rig.reader.condition is Condition.ONLINE
    assert rig.emulator.swipe(tracks_for(PAN, "DOE/JANE", "2705"))
    event = rig.wait_for(CardSwiped)
    assert event.masked_pan == "•••• •••• •••• 1486"
    assert event.tracks == (1, 2)
    # no holder name and no expiry at all (issue 15 item 13): not hidden, absent
    fields = dataclasses.asdict(event)
    assert set(fields) == {"device", "at", "masked_pan", "tracks", "card_id"}
    assert "DOE/JANE" not in repr(fields) and "2705" not in repr(fields)
    assert event.card_id and PAN not in event.card_id
    assert rig.reader.statistics.get("swipes") == 1
    everything = repr(event) + str(event) + caplog.text + repr(rig.reader.status())
    assert PAN not in everything and PAN[:12] not in everything
    assert "DOE/JANE" not in repr(event) + caplog.text


def test_card_id_is_stable_for_the_same_card(rig: Rig) -> None:
    rig.emulator.swipe(tracks_for(PAN))
    rig.emulator.swipe(tracks_for(PAN))
    first, second = rig.wait_for(CardSwiped), rig.wait_for(CardSwiped)
    assert first.card_id == second.card_id


def test_staff_and_technician_badges(rig: Rig) -> None:
    rig.emulator.swipe(tracks_for("6039120000042"))
    badge = rig.wait_for(StaffBadge)
    assert (badge.role, badge.staff_id, badge.masked_pan) == (
        "staff",
        "0000042",
        "•••• •••• •••• 0042",
    )
    assert "6039120000042" not in repr(badge)
    rig.emulator.swipe(";6039130000007=3012?")
    tech = rig.wait_for(StaffBadge)
    assert (tech.role, tech.staff_id) == ("technician", "0000007")
    assert not any(isinstance(e, CardSwiped) for e in rig.events)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("bad_lrc", "LRC"),
        ("e_tracks", "could not be read"),
        ("garbled", "unreadable"),
    ],
)
def test_fault_gives_a_read_error_then_recovers(rig: Rig, fault: str, reason: str, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    rig.host.garble_rate = 0.0  # only the emulator's deterministic garbling
    rig.host.set_fault(fault, True)
    rig.emulator.swipe(tracks_for(PAN))
    error = rig.wait_for(ReadError)
    assert reason in error.reason
    assert rig.reader.statistics.get("read_errors") >= 1
    assert PAN not in caplog.text + repr(error)
    rig.host.set_fault(fault, False)
    rig.clear()
    rig.emulator.swipe(tracks_for(PAN))
    assert rig.wait_for(CardSwiped).masked_pan.endswith("1486")


def test_one_e_track_still_reads_the_card_from_the_other(rig: Rig) -> None:
    rig.host.set_fault("e_track1", True)
    rig.emulator.swipe(tracks_for(PAN))
    event = rig.wait_for(CardSwiped)
    assert event.tracks == (2,)
    assert rig.reader.statistics.get("read_errors") == 1


def test_no_lrc_is_accepted(rig: Rig) -> None:
    rig.host.set_fault("no_lrc", True)
    rig.emulator.swipe(tracks_for(PAN))
    assert rig.wait_for(CardSwiped).tracks == (1, 2)
    assert rig.emulator.frames_sent[-1] == b"\x02" + tracks_for(PAN).encode() + b"\r\x03"


def test_offline_reader_swallows_swipes(rig: Rig) -> None:
    rig.host.set_fault("offline", True)
    assert not rig.emulator.swipe(tracks_for(PAN))
    rig.bus.drain(0.2)
    assert not any(isinstance(e, CardSwiped) for e in rig.events)


def test_unplug_marks_no_device_and_replug_recovers(rig: Rig) -> None:
    rig.host.set_fault("unplug", True)
    rig.wait_until(lambda: rig.reader.condition is Condition.NO_DEVICE)
    assert rig.reader.state is DeviceState.ERROR
    assert [f.code for f in rig.reader.faults] == ["no_device"]
    assert not rig.reader.check_health("internal").ok
    rig.host.set_fault("unplug", False)
    rig.wait_until(lambda: rig.reader.condition is Condition.ONLINE)
    assert rig.reader.state is DeviceState.IDLE
    assert rig.reader.statistics.get("reconnects") == 1
    assert rig.reader.check_health("internal").ok
    rig.emulator.swipe(tracks_for(PAN))
    assert rig.wait_for(CardSwiped).masked_pan.endswith("1486")


def test_control_socket_swipes_and_switches_faults(rig: Rig) -> None:
    assert send_command(rig.host.url, f"card {PAN} DOE/JOHN 2801") == "ok swiped"
    assert rig.wait_for(CardSwiped).masked_pan.endswith("1486")
    assert send_command(rig.host.url, "fault e_tracks on") == "ok fault e_tracks on"
    assert send_command(rig.host.url, "faults") == "ok e_tracks"
    assert send_command(rig.host.url, "swipe ;1234?") == "ok swiped"
    assert "could not be read" in rig.wait_for(ReadError).reason
    assert send_command(rig.host.url, "fault nonsense on").startswith("error: unknown fault")
    assert send_command(rig.host.url, "swipe hello").startswith("error:")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=300))
def test_random_garbage_never_kills_the_reader_thread(rig: Rig, garbage: bytes) -> None:
    rig.emulator.send(garbage)
    rig.emulator.swipe(tracks_for(PAN))  # the STX resynchronises after any noise
    assert rig.wait_for(CardSwiped, timeout=3.0).masked_pan.endswith("1486")
    assert rig.reader.transport._thread is not None and rig.reader.transport._thread.is_alive()
    rig.clear()


def test_registry_builds_a_reader_and_rejects_bad_options(tmp_path) -> None:
    from peripherals.errors import ConfigurationError

    device = create_device("magstripe", "r", "loop://", {"staff_prefixes": ["1"]}, tmp_path, None)
    assert isinstance(device, CardReader) and device.badges.staff_prefixes == ("1",)
    with pytest.raises(ConfigurationError, match="unknown option"):
        create_device("magstripe", "r", "loop://", {"colour": "red"}, tmp_path, None)
    with pytest.raises(ConfigurationError, match="letters or digits"):
        create_device("magstripe", "r", "loop://", {"staff_prefixes": ["x?"]}, tmp_path, None)


def test_badge_with_a_non_bank_track_1(rig: Rig) -> None:
    rig.reader.badges = BadgeRules.from_options(staff=["STF"])
    rig.emulator.swipe("%STF000042?")
    badge = rig.wait_for(StaffBadge)
    assert (badge.role, badge.staff_id) == ("staff", "000042")
    assert rig.reader.statistics.get("read_errors") == 0


def test_kiosk_emulate_card_reader_prints_url_first_and_takes_swipes(tmp_path) -> None:
    import signal
    import subprocess
    import sys

    link = tmp_path / "emu-reader"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "emulate",
            "card-reader",
            "--fault",
            "no_lrc",
            "--link",
            str(link),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url == str(link)
        bus = EventBus(threaded=False)
        events: list[object] = []
        bus.subscribe(events.append)
        reader = CardReader("card-reader", url, bus=bus)
        reader.open()
        try:
            assert send_command(url, "faults") == "ok no_lrc"
            assert send_command(url, f"card {PAN}") == "ok swiped"
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not any(
                isinstance(e, CardSwiped) for e in events
            ):
                bus.drain(0.1)
            assert [type(e) for e in events if not hasattr(e, "old_state")] == [CardSwiped]
        finally:
            reader.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_offline_then_back_online_reads_again(rig: Rig) -> None:
    rig.host.set_fault("offline", True)
    assert not rig.emulator.swipe(tracks_for(PAN))
    rig.host.set_fault("offline", False)
    assert rig.emulator.swipe(tracks_for(PAN))
    assert rig.wait_for(CardSwiped).tracks == (1, 2)


def test_slow_line_still_delivers_whole_frames(rig: Rig) -> None:
    rig.host.set_fault("slow", True)  # 9600 baud: a swipe takes ~0.1 s on the wire
    rig.emulator.swipe(tracks_for(PAN))
    assert rig.wait_for(CardSwiped).masked_pan.endswith("1486")
    rig.host.set_fault("slow", False)
