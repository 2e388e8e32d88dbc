"""The tactile keypad's evdev reader (issue 19, item 1), fed kernel records through a pipe.

No /dev/uinput here: a pipe stands in for the evdev node. Every record is packed from
linux/input.h's layout, not by the code under test: struct input_event { struct timeval time
(two longs); __u16 type; __u16 code; __s32 value; } — "llHHi", 24 bytes on 64-bit. Codes from
linux/input-event-codes.h: EV_SYN 0, EV_KEY 1, EV_MSC 4 (MSC_SCAN 4); KEY_ESC 1, KEY_BACKSPACE 14,
KEY_ENTER 28, KEY_F1 59, KEY_KP8 72, KEY_KP5 76, KEY_KP2 80, KEY_KPENTER 96, KEY_UP 103,
KEY_LEFT 105, KEY_RIGHT 106, KEY_DOWN 108, KEY_HELP 138, KEY_A 30. EV_KEY value: 0 release,
1 press, 2 autorepeat.
"""

from __future__ import annotations

import errno
import os
import queue
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from peripherals.conditions import Condition
from peripherals.errors import ConfigurationError, DeviceUnavailable
from peripherals.keypad import DEFAULT_KEYS, KeypadReader, key_map, key_map_problems
from peripherals.transport import Backoff
from peripherals.wedge import keyboard as wedge_keyboard
from peripherals.wedge.keyboard import open_evdev

EV_SYN, EV_KEY, EV_MSC, MSC_SCAN = 0, 1, 4, 4
KEY_ESC, KEY_BACKSPACE, KEY_ENTER, KEY_F1, KEY_A = 1, 14, 28, 59, 30
KEY_KP8, KEY_KP5, KEY_KP2, KEY_KPENTER = 72, 76, 80, 96
KEY_UP, KEY_LEFT, KEY_RIGHT, KEY_DOWN, KEY_HELP = 103, 105, 106, 108, 138
INPUT_EVENT_SIZE = 24  # sizeof(struct input_event) on x86-64 / arm64


def record(kind: int, code: int, value: int, sec: int = 1_700_000_000, usec: int = 5) -> bytes:
    data = struct.pack("=qqHHi", sec, usec, kind, code, value)
    assert len(data) == INPUT_EVENT_SIZE
    return data


def press(code: int) -> bytes:
    """What a USB keypad sends for one key tap: scan code, press, SYN, scan code, release, SYN."""
    return (
        record(EV_MSC, MSC_SCAN, 0x70000 + code) + record(EV_KEY, code, 1) + record(EV_SYN, 0, 0)
        + record(EV_MSC, MSC_SCAN, 0x70000 + code) + record(EV_KEY, code, 0)
        + record(EV_SYN, 0, 0)
    )  # fmt: skip


class Pipe:
    def __init__(self) -> None:
        self.r, self.w = os.pipe()
        self.actions: queue.Queue[tuple[str, int]] = queue.Queue()

    def opener(self, _path: str) -> int:
        return self.r

    def collect(self, action: str, value: int) -> None:
        if value != 0 or action == "help":  # releases matter for help only (held: touch to hear)
            self.actions.put((action, value))

    def got(self, n: int) -> list[tuple[str, int]]:
        return [self.actions.get(timeout=10) for _ in range(n)]

    def nothing_more(self, marker: bytes) -> None:
        """Send a known Down press and check it is the very next action (nothing slipped in)."""
        os.write(self.w, marker)
        assert self.got(1) == [("down", 1)]


@pytest.fixture
def pipe() -> Iterator[Pipe]:
    p = Pipe()
    yield p
    os.close(p.w)


@pytest.fixture
def reader(pipe: Pipe) -> Iterator[KeypadReader]:
    r = KeypadReader("/dev/input/by-id/usb-ez-keypad-event-kbd", pipe.collect, name="keypad",
                     opener=pipe.opener, backoff=Backoff(base=0.01, cap=0.05))  # fmt: skip
    assert r.open()
    yield r
    r.close()


def test_each_ez_key_becomes_its_action(pipe: Pipe, reader: KeypadReader) -> None:
    keys = [KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_ENTER, KEY_ESC, KEY_HELP]
    os.write(pipe.w, b"".join(press(k) for k in keys))
    assert pipe.got(8) == [("up", 1), ("down", 1), ("left", 1), ("right", 1), ("select", 1),
                           ("back", 1), ("help", 1), ("help", 0)]  # fmt: skip


def test_number_pad_keys_of_a_keypad_without_arrows(pipe: Pipe, reader: KeypadReader) -> None:
    keys = [KEY_KP8, KEY_KP2, KEY_KP5, KEY_KPENTER, KEY_BACKSPACE, KEY_F1]
    os.write(pipe.w, b"".join(press(k) for k in keys))
    assert [a for a, v in pipe.got(7) if v == 1] == [
        "up",
        "down",
        "select",
        "select",
        "back",
        "help",
    ]


def test_a_held_arrow_repeats_but_a_held_select_acts_once(pipe: Pipe, reader: KeypadReader) -> None:
    held = (
        record(EV_KEY, KEY_DOWN, 1) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_DOWN, 2) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_DOWN, 2) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_DOWN, 0) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_ENTER, 1) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_ENTER, 2) + record(EV_KEY, KEY_ENTER, 2) + record(EV_SYN, 0, 0)
        + record(EV_KEY, KEY_ENTER, 0) + record(EV_SYN, 0, 0)
    )  # fmt: skip
    os.write(pipe.w, held)
    assert pipe.got(4) == [("down", 1), ("down", 2), ("down", 2), ("select", 1)]
    pipe.nothing_more(press(KEY_DOWN))


def test_releases_syn_msc_and_unmapped_keys_do_nothing(pipe: Pipe, reader: KeypadReader) -> None:
    os.write(pipe.w, record(EV_KEY, KEY_UP, 0) + record(EV_SYN, 0, 0) + press(KEY_A)
             + record(EV_MSC, MSC_SCAN, 0x70052) + record(EV_SYN, 0, 0))  # fmt: skip
    pipe.nothing_more(press(KEY_DOWN))


def test_a_record_split_across_reads_is_decoded_whole(pipe: Pipe, reader: KeypadReader) -> None:
    data = press(KEY_HELP)
    os.write(pipe.w, data[:30])  # one whole record and 6 bytes of the next
    assert pipe.actions.empty()
    os.write(pipe.w, data[30:])
    assert pipe.got(2) == [("help", 1), ("help", 0)]


def test_garbage_does_not_stop_the_reader(pipe: Pipe, reader: KeypadReader) -> None:
    # 48 bytes of noise: two "records" of nonsense types/codes, then a real Select
    noise = bytes(range(200, 248))
    os.write(pipe.w, noise + press(KEY_ENTER))
    assert pipe.got(1) == [("select", 1)]
    assert reader.connected


def test_a_configured_map_replaces_the_defaults(pipe: Pipe) -> None:
    keys = {"select": [KEY_A], "back": [KEY_ENTER], "louder": [KEY_F1]}
    r = KeypadReader("/dev/input/event9", pipe.collect, keys=keys, opener=pipe.opener)
    r.open()
    try:
        os.write(pipe.w, press(KEY_ENTER) + press(KEY_A))
        assert pipe.got(2) == [("back", 1), ("select", 1)]
    finally:
        r.close()


def test_bad_maps_are_told_per_option() -> None:
    problems = dict(key_map_problems({"jump": [1], "up": [103, 9999], "down": "108",
                                      "left": [KEY_UP]}))  # fmt: skip
    assert "unknown keypad action" in problems["jump"]
    assert "9999 is not a key code" in problems["up"]
    assert "array of key codes" in problems["down"]
    assert "already 'up'" in problems["left"]
    with pytest.raises(ConfigurationError):
        key_map({"up": [0]})
    assert key_map()[KEY_UP] == "up" and set(key_map().values()) == set(DEFAULT_KEYS)


def test_a_missing_node_is_no_device(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable) as caught:
        open_evdev(str(tmp_path / "event99"))
    assert caught.value.condition is Condition.NO_DEVICE
    assert "cannot open" in str(caught.value)


def test_a_node_that_cannot_be_grabbed_is_translated(tmp_path: Path) -> None:
    plain = tmp_path / "not-an-input-node"
    plain.write_bytes(b"")
    with pytest.raises(DeviceUnavailable) as caught:  # EVIOCGRAB on a file: ENOTTY from the kernel
        open_evdev(str(plain))
    assert "cannot grab" in str(caught.value)
    assert not isinstance(caught.value, OSError)


def test_a_keypad_another_program_holds_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "event3"
    plain.write_bytes(b"")

    def busy(_fd: int, request: int, _arg: int) -> None:
        assert request == (1 << 30) | (4 << 16) | (ord("E") << 8) | 0x90  # _IOW('E', 0x90, int)
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))

    monkeypatch.setattr(wedge_keyboard.fcntl, "ioctl", busy)
    with pytest.raises(DeviceUnavailable, match="another program holds it"):
        open_evdev(str(plain))
