"""The headphone jack: kernel switch records through a pipe, as the jack's input node sends them.

Records are packed here by hand from the kernel's documented layout (``struct input_event`` in
linux/input.h: struct timeval, __u16 type, __u16 code, __s32 value; codes from
linux/input-event-codes.h), not by the code under test.
"""

from __future__ import annotations

import os
import queue
import struct

import pytest

from kiosk.ui.headphones import AudioRoute, HeadphoneJack, jack_changes, read_switches

EV_SYN, EV_KEY, EV_SW = 0x00, 0x01, 0x05
SW_HEADPHONE_INSERT, SW_MICROPHONE_INSERT, SW_LINEOUT_INSERT = 0x02, 0x04, 0x06


def record(kind: int, code: int, value: int, sec: int = 1764680000) -> bytes:
    return struct.pack("@llHHi", sec, 250000, kind, code, value)


def syn() -> bytes:
    return record(EV_SYN, 0, 0)


class Pipes:
    """An opener that hands out the read end of a fresh pipe each time the node is opened."""

    def __init__(self) -> None:
        self.writers: queue.Queue[int] = queue.Queue()
        self.fail = False

    def __call__(self, path: str) -> int:
        if self.fail:
            raise FileNotFoundError(2, "No such file or directory")
        r, w = os.pipe()
        self.writers.put(w)
        return r

    def next_writer(self) -> int:
        return self.writers.get(timeout=5)


@pytest.fixture
def jack():
    changes: queue.Queue[bool] = queue.Queue()
    lost: queue.Queue[str] = queue.Queue()
    pipes = Pipes()
    reader = HeadphoneJack("/dev/input/by-path/jack", changes.put, on_lost=lost.put,
                           opener=pipes, retry_s=0.01).start()  # fmt: skip
    yield reader, pipes, changes, lost
    reader.close()


def test_switch_records_decode_to_in_and_out():
    records = [
        (EV_SW, SW_HEADPHONE_INSERT, 1), (EV_SYN, 0, 0), (EV_KEY, 30, 1),
        (EV_SW, SW_MICROPHONE_INSERT, 1), (EV_SW, SW_LINEOUT_INSERT, 0),
    ]  # fmt: skip
    assert jack_changes(records) == [True, False]


def test_plugging_in_and_pulling_out_is_reported_once_each(jack):
    reader, pipes, changes, _lost = jack
    w = pipes.next_writer()
    os.write(w, record(EV_SW, SW_HEADPHONE_INSERT, 1) + syn())
    assert changes.get(timeout=5) is True
    half = record(EV_SW, SW_HEADPHONE_INSERT, 0)
    os.write(w, record(EV_SW, SW_HEADPHONE_INSERT, 1) + half[:10])  # repeated state: no change
    os.write(w, half[10:] + syn())
    assert changes.get(timeout=5) is False
    assert changes.empty() and not reader.plugged
    os.close(w)


def test_a_lost_node_counts_as_out_and_is_reopened(jack):
    reader, pipes, changes, lost = jack
    w = pipes.next_writer()
    os.write(w, record(EV_SW, SW_LINEOUT_INSERT, 1))
    assert changes.get(timeout=5) is True
    os.close(w)  # the node went away (end of input)
    assert changes.get(timeout=5) is False
    assert "went away" in lost.get(timeout=5)
    w2 = pipes.next_writer()  # reopened
    os.write(w2, record(EV_SW, SW_HEADPHONE_INSERT, 1))
    assert changes.get(timeout=5) is True and reader.plugged
    os.close(w2)


def test_a_node_that_cannot_be_opened_gives_a_reason():
    lost: queue.Queue[str] = queue.Queue()
    pipes = Pipes()
    pipes.fail = True
    reader = HeadphoneJack("/dev/input/none", lambda _v: None, on_lost=lost.put, opener=pipes,
                           retry_s=0.01).start()  # fmt: skip
    try:
        assert lost.get(timeout=5) == "cannot open: No such file or directory"
        assert not reader.plugged
    finally:
        reader.close()


def test_state_at_start_comes_from_the_node_when_it_can_say():
    r, w = os.pipe()
    try:
        assert read_switches(r) is None  # a pipe is no evdev node: unknown, not "in"
    finally:
        os.close(r)
        os.close(w)
    changes: queue.Queue[bool] = queue.Queue()
    pipes = Pipes()
    reader = HeadphoneJack("/dev/input/jack", changes.put, opener=pipes,
                           probe=lambda _fd: True).start()  # fmt: skip
    try:
        assert changes.get(timeout=5) is True  # headphones were already in at start
    finally:
        reader.close()


def test_route_speaks_privately_only_while_someone_listens():
    assert AudioRoute().may_speak  # no private output configured: the panel's loudspeaker mode
    jack = AudioRoute(jack=True)
    assert not jack.may_speak
    jack.plugged = True
    assert jack.may_speak
    key = AudioRoute(audio_key=True)
    assert not key.may_speak
    key.key_on = True
    assert key.may_speak and key.listening
    key.reset()
    assert not key.may_speak
