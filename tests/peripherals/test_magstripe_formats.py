"""Card reader output formats from the makers' manuals, fed through a real pseudo-terminal.

Sources (issue 15, items 10, 11, 13):
* MagTek Port Powered / P-Series Insertion Reader manuals, "Reader to host formats":
  ``[STX] [ESC] % Track 1 Data ? ; Track 2 Data ? Sensor [CR] [ETX]``, "The LRC character is not
  transmitted", Sensor "0" no card in reader / "1" card present; a card insertion alone is
  ``[STX] [ESC] 1 [CR] [ETX]``; a track read in error is sent as ``E``.
* ID TECH MiniMag (RS-232) in ID TECH's own format: each track followed by CR, no STX/ETX.
* ISO/IEC 7813 track layouts (``%B PAN ^ NAME ^ YYMM … ?`` and ``; PAN = YYMM … ?``).
The bytes below are written out from those layouts, not produced by our emulator.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from peripherals.emulators.magstripe_reader import CardReaderEmulator, tracks_for
from peripherals.emulators.pty_host import EmulatedDevice, PtyHost
from peripherals.events import CardSwiped, EventBus, ReadError
from peripherals.magstripe.driver import CardReader
from peripherals.magstripe.events import CardSensor
from peripherals.magstripe.framing import Frame, Framer

PAN = "4539578763621486"
T1 = b"%B4539578763621486^DOE/JANE^27051010000000000000?"
T2 = b";4539578763621486=27051010000000000000?"


class Wire(EmulatedDevice):
    """A reader that only sends the bytes the test gives it."""

    def on_bytes(self, data: bytes) -> None:
        pass


class Rig:
    def __init__(self, device: EmulatedDevice, fmt: str) -> None:
        self.device = device
        self.host = PtyHost(device)
        self.host.start()
        self.bus = EventBus(threaded=False)
        self.events: list[object] = []
        self.bus.subscribe(self.events.append)
        self.reader = CardReader("card-reader", self.host.url, bus=self.bus, format=fmt)
        self.reader.open()

    def settle(self, wait: float = 0.4) -> list[object]:
        """Events after `wait` s of quiet (an ID TECH swipe ends by its gap)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            self.bus.drain(0.02)
        events, self.events[:] = list(self.events), []
        return [e for e in events if not type(e).__name__.startswith(("Status", "Fault"))]

    def close(self) -> None:
        self.reader.close()
        self.host.stop()
        self.bus.close()


@pytest.fixture
def idtech() -> Iterator[Rig]:
    rig = Rig(Wire(), "idtech")
    yield rig
    rig.close()


@pytest.fixture
def insertion() -> Iterator[Rig]:
    rig = Rig(Wire(), "magtek_insert")
    yield rig
    rig.close()


# ------------------------------------------------------------------ item 11: ID TECH, CR per track
def test_idtech_cr_after_each_track_is_one_swipe(idtech: Rig) -> None:
    idtech.device.send(T1 + b"\r" + T2 + b"\r")
    events = idtech.settle()
    assert [type(e) for e in events] == [CardSwiped]
    assert events[0].tracks == (1, 2) and events[0].masked_pan.endswith("1486")


def test_idtech_two_swipes_back_to_back_are_two_events(idtech: Rig) -> None:
    idtech.device.send(T1 + b"\r" + T2 + b"\r" + T1 + b"\r" + T2 + b"\r")
    assert [type(e) for e in idtech.settle()] == [CardSwiped, CardSwiped]


def test_idtech_track_2_only_and_an_error_track(idtech: Rig) -> None:
    idtech.device.send(T2 + b"\r")
    events = idtech.settle()
    assert [(type(e), e.tracks) for e in events] == [(CardSwiped, (2,))]
    idtech.device.send(b"%E?\r" + T2 + b"\r")  # track 1 unreadable, track 2 fine
    assert [(type(e), e.tracks) for e in idtech.settle()] == [(CardSwiped, (2,))]
    idtech.device.send(b"%E?\r;E?\r")
    assert [type(e) for e in idtech.settle()] == [ReadError]


def test_idtech_framer_with_an_injected_clock() -> None:
    framer = Framer(deadline=1.0, track_gap=0.1)
    assert framer.feed(T1 + b"\r", now=0.0) == []
    assert framer.due == pytest.approx(0.1)
    assert framer.feed(T2 + b"\r", now=0.02) == []  # track 2 continues the swipe
    assert framer.expire(0.05) == []
    assert framer.expire(0.13) == [Frame(T1 + T2)]
    assert framer.due is None
    # an earlier track starting again is the next swipe: the first one ends at once
    framer.feed(T2 + b"\r", now=1.0)
    assert framer.feed(T1, now=1.01) == [Frame(T2)]
    # track 3 is the last: nothing to wait for
    assert framer.feed(b"\r;0123456789?\r+01234?\r", now=1.02) == [
        Frame(T1 + b";0123456789?+01234?")
    ]


def test_emulator_switch_idtech() -> None:
    emu = CardReaderEmulator()
    emu.set_fault("idtech")
    emu.set_fault("no_lrc")
    assert emu.frame(tracks_for(PAN)) == tracks_for(PAN).replace("?", "?\r").encode()
    rig = Rig(emu, "idtech")
    try:
        assert emu.swipe(tracks_for(PAN))
        assert [type(e) for e in rig.settle()] == [CardSwiped]
    finally:
        rig.close()


# ------------------------------------------------------------------ item 10: MagTek insertion
def test_magtek_insertion_sensor_only_message(insertion: Rig) -> None:
    insertion.device.send(b"\x02\x1b1\r\x03")  # STX ESC 1 CR ETX: card in, rear sensor blocked
    events = insertion.settle(0.2)
    assert [(type(e), e.present) for e in events] == [(CardSensor, True)]


def test_magtek_insertion_read_on_withdrawal_without_lrc(insertion: Rig) -> None:
    insertion.device.send(b"\x02\x1b" + T1 + T2 + b"0\r\x03")
    events = insertion.settle(0.2)
    assert [type(e) for e in events] == [CardSwiped, CardSensor]
    assert events[0].tracks == (1, 2) and events[1].present is False
    assert insertion.reader.statistics.get("read_errors") == 0


def test_magtek_insertion_bad_track_1_and_optional_framing(insertion: Rig) -> None:
    # "a bad read on Track 1 and a good read on Track 2 on withdrawal": % E ? ; data ? 0
    insertion.device.send(b"\x02\x1b%E?" + T2 + b"0\r\x03")
    events = insertion.settle(0.2)
    assert [type(e) for e in events] == [CardSwiped, CardSensor]
    assert events[0].tracks == (2,)
    # STX, ESC and ETX are optional: only the CR frames it
    insertion.device.send(T1 + T2 + b"0\r")
    assert [type(e) for e in insertion.settle(0.2)] == [CardSwiped, CardSensor]


def test_emulator_switch_magtek_insert() -> None:
    emu = CardReaderEmulator()
    emu.set_fault("magtek_insert")
    rig = Rig(emu, "magtek_insert")
    try:
        assert emu.swipe(tracks_for(PAN))
        assert emu.frames_sent[-1] == b"\x02\x1b" + tracks_for(PAN).encode() + b"0\r\x03"
        events = rig.settle(0.2)
        assert [type(e) for e in events] == [CardSensor, CardSwiped, CardSensor]
    finally:
        rig.close()


# ------------------------------------------------------------------ item 13: no name, no expiry
def test_the_card_event_has_no_holder_name_and_no_expiry(idtech: Rig) -> None:
    idtech.device.send(T1 + b"\r" + T2 + b"\r")
    (event,) = idtech.settle()
    everything = repr(dataclasses.asdict(event))
    assert "DOE" not in everything and "2705" not in everything and PAN not in everything
    assert not hasattr(event, "holder_name") and not hasattr(event, "expiry")
