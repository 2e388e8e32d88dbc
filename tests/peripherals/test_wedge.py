"""USB HID keyboard-wedge readers and scanners (issue 15, item 12), without /dev/uinput.

This machine has no uinput, so no virtual keyboard can be made. The device-opening layer
(`open_evdev`: open + EVIOCGRAB) is a few lines; everything behind it is tested by feeding kernel
`struct input_event` records — struct timeval (two longs), __u16 type, __u16 code, __s32 value,
format "llHHi" on 64-bit — through a pipe, as the kernel would hand them to read(). Key codes are
written out from linux/input-event-codes.h (KEY_A = 30, KEY_5 = 6, KEY_LEFTSHIFT = 42 …), and each
key press is followed by its EV_MSC scan code and EV_SYN report, as a real keyboard sends them.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Iterator

import pytest

from peripherals.conditions import Condition
from peripherals.errors import ConfigurationError, DeviceUnavailable
from peripherals.events import CardSwiped, CodeScanned, EventBus
from peripherals.magstripe.driver import CardReader
from peripherals.registry import create_device
from peripherals.scanner import Scanner
from peripherals.transport import Backoff
from peripherals.wedge import KeyboardTransport, KeyDecoder, decode_records
from peripherals.wedge.keyboard import open_evdev

EV_SYN, EV_KEY, EV_MSC, MSC_SCAN = 0, 1, 4, 4
KEY_LEFTSHIFT, KEY_LEFTCTRL, KEY_ENTER = 42, 29, 28
# linux/input-event-codes.h
CODES = {
    **{c: 2 + i for i, c in enumerate("1234567890")},
    **{c: 16 + i for i, c in enumerate("qwertyuiop")},
    **{c: 30 + i for i, c in enumerate("asdfghjkl")},
    **{c: 44 + i for i, c in enumerate("zxcvbnm")},
    "-": 12, "=": 13, "[": 26, "]": 27, ";": 39, "'": 40, "`": 41, "\\": 43, ",": 51, ".": 52,
    "/": 53, " ": 57,
}  # fmt: skip
US_SHIFTED = dict(zip('!@#$%^&*()_+{}:"~|<>?', "1234567890-=[];'`\\,./", strict=True))


def record(kind: int, code: int, value: int, t: float = 0.0) -> bytes:
    return struct.pack("llHHi", int(t), int(t % 1 * 1e6), kind, code, value)


def key(code: int, *, shift: bool = False, ctrl: bool = False) -> bytes:
    """One key stroke as a keyboard reports it: modifiers, press, SYN, release, SYN."""
    out = b""
    mods = ([KEY_LEFTSHIFT] if shift else []) + ([KEY_LEFTCTRL] if ctrl else [])
    for mod in mods:
        out += record(EV_KEY, mod, 1) + record(EV_SYN, 0, 0)
    out += record(EV_MSC, MSC_SCAN, 0x70000 + code) + record(EV_KEY, code, 1) + record(EV_SYN, 0, 0)
    out += record(EV_MSC, MSC_SCAN, 0x70000 + code) + record(EV_KEY, code, 0) + record(EV_SYN, 0, 0)
    for mod in mods:
        out += record(EV_KEY, mod, 0) + record(EV_SYN, 0, 0)
    return out


def typed(text: str) -> bytes:
    """What a US-layout wedge sends for `text` ("\n" = Enter, "\x1d" = Ctrl + ])."""
    out = b""
    for ch in text:
        if ch == "\n":
            out += key(KEY_ENTER)
        elif ch == "\x1d":
            out += key(CODES["]"], ctrl=True)
        elif ch in US_SHIFTED:
            out += key(CODES[US_SHIFTED[ch]], shift=True)
        elif ch.isupper():
            out += key(CODES[ch.lower()], shift=True)
        else:
            out += key(CODES[ch])
    return out


def test_the_record_layout() -> None:
    # KEY_A (30 = 0x1E) pressed at 0 s: tv_sec, tv_usec (8 bytes each), type 1, code 30, value 1
    raw = bytes.fromhex("0000000000000000000000000000000001001e0001000000")
    assert list(decode_records(raw)) == [(1, 30, 1)]
    assert KeyDecoder("us").feed(decode_records(raw)) == "a"
    assert list(decode_records(raw[:-3])) == []  # a partial record waits for the rest


def test_shift_caps_ctrl_and_layouts() -> None:
    assert KeyDecoder("us").feed(decode_records(typed("%B123^DOE/J?;=\n"))) == "%B123^DOE/J?;=\r"
    shift_2 = key(CODES["2"], shift=True)
    shift_quote = key(CODES["'"], shift=True)
    assert KeyDecoder("us").feed(decode_records(shift_2 + shift_quote)) == '@"'
    assert KeyDecoder("gb").feed(decode_records(shift_2 + shift_quote)) == '"@'
    assert KeyDecoder("gb").feed(decode_records(key(CODES["3"], shift=True))) == "£"
    caps = record(EV_KEY, 58, 1) + record(EV_KEY, 58, 0)
    assert KeyDecoder("us").feed(decode_records(caps + key(30) + key(30, shift=True))) == "Aa"
    assert KeyDecoder("us").feed(decode_records(key(27, ctrl=True))) == "\x1d"
    autorepeat = record(EV_KEY, 30, 1) + record(EV_KEY, 30, 2) + record(EV_KEY, 30, 0)
    assert KeyDecoder("us").feed(decode_records(autorepeat)) == "a"
    with pytest.raises(ConfigurationError):
        KeyDecoder("dvorak-klingon")


class Pipes:
    """An opener that hands out the read end of a fresh pipe per (re)open."""

    def __init__(self) -> None:
        self.writers: list[int] = []
        self.fail = False

    def __call__(self, url: str) -> int:
        if self.fail:
            raise DeviceUnavailable(f"cannot open {url}: No such device", Condition.NO_DEVICE)
        r, w = os.pipe()
        self.writers.append(w)
        return r

    def write(self, data: bytes) -> None:
        os.write(self.writers[-1], data)

    def close(self) -> None:
        for w in self.writers:
            with contextlib.suppress(OSError):
                os.close(w)


@pytest.fixture
def pipes() -> Iterator[Pipes]:
    p = Pipes()
    yield p
    p.close()


def events_of(bus: EventBus, kind: type, count: int = 1, timeout: float = 3.0) -> list:
    seen: list = []
    bus.subscribe(seen.append, kind)
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        bus.drain(0.02)
    return seen


def test_a_wedge_card_reader_reads_one_swipe(pipes: Pipes) -> None:
    bus = EventBus(threaded=False)
    reader = CardReader(
        "card-reader",
        "/dev/input/by-id/usb-MagTek_USB_Swipe_Reader-event-kbd",
        bus=bus,
        transport_factory=KeyboardTransport,
        transport_options={"opener": pipes, "layout": "us"},
    )
    reader.open()
    try:
        assert reader.condition is Condition.ONLINE
        pipes.write(typed("%B4539578763621486^DOE/JANE^27051010000000?"))
        pipes.write(typed(";4539578763621486=27051010000000?\n"))
        (event,) = events_of(bus, CardSwiped)
        assert event.tracks == (1, 2) and event.masked_pan.endswith("1486")
    finally:
        reader.close()
        bus.close()


def test_a_wedge_scanner_with_aim_ids_and_gs(pipes: Pipes, caplog) -> None:
    bus = EventBus(threaded=False)
    scanner = Scanner(
        "scanner",
        "/dev/input/by-id/usb-Zebra_DS2208-event-kbd",
        bus=bus,
        transport_factory=KeyboardTransport,
        transport_options={"opener": pipes, "backoff": Backoff(0.01, 0.05)},
    )
    scanner.open()
    caplog.set_level("INFO", logger="peripherals")
    try:
        pipes.write(typed("]Q1https://kiosk.example/h/ABCD\n"))
        pipes.write(typed("]C10109501101530003\x1d10ABC1\n"))
        seen = events_of(bus, CodeScanned, 2)
        assert [(e.data, e.symbology) for e in seen] == [
            ("https://kiosk.example/h/ABCD", "qr"),
            ("0109501101530003\x1d10ABC1", "gs1-128"),
        ]
        # unplug: the node ends; it comes back (a new node) and is read again
        pipes.fail = True
        os.close(pipes.writers.pop())
        deadline = time.monotonic() + 3
        while scanner.condition is not Condition.NO_DEVICE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert scanner.condition is Condition.NO_DEVICE
        pipes.fail = False
        while scanner.condition is not Condition.ONLINE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert scanner.transport.reconnects == 1
        pipes.write(typed("CASE-7\n"))
        assert [e.data for e in events_of(bus, CodeScanned)] == ["CASE-7"]
        assert not [r for r in caplog.records if r.exc_info]  # one line each way, no traceback
    finally:
        scanner.close()
        bus.close()


def test_config_picks_the_keyboard_transport_for_input_nodes(tmp_path) -> None:
    node = "/dev/input/by-id/usb-reader-event-kbd"
    reader = create_device("magstripe", "card-reader", node, {"layout": "gb"}, tmp_path, None)
    assert isinstance(reader.transport, KeyboardTransport) and reader.transport.layout == "gb"
    scanner = create_device("scanner", "scanner", node, {}, tmp_path, None)
    assert isinstance(scanner.transport, KeyboardTransport)
    with pytest.raises(ConfigurationError, match="line mode"):
        create_device("scanner", "scanner", node, {"mode": "ssi"}, tmp_path, None)
    with pytest.raises(ConfigurationError, match="keyboard-wedge"):
        create_device("magstripe", "card-reader", "/dev/ttyUSB0", {"layout": "gb"}, tmp_path, None)
    with pytest.raises(ConfigurationError, match="layout"):
        create_device("scanner", "scanner", node, {"layout": "azerty-x"}, tmp_path, None)


def test_the_opening_layer_translates_os_errors(tmp_path) -> None:
    with pytest.raises(DeviceUnavailable, match="cannot open"):
        open_evdev(str(tmp_path / "event99"))
    plain = tmp_path / "not-an-input-node"
    plain.write_bytes(b"")
    with pytest.raises(DeviceUnavailable, match="cannot grab"):
        open_evdev(str(plain))  # EVIOCGRAB on a regular file: ENOTTY


def test_emulator_switch_hid_wedge_over_a_pty() -> None:
    from peripherals.emulators.magstripe_reader import CardReaderEmulator, tracks_for
    from peripherals.emulators.pty_host import PtyHost
    from peripherals.emulators.scanner import ScannerEmulator
    from peripherals.wedge.keyboard import open_plain

    card, codes = CardReaderEmulator(), ScannerEmulator()
    card.set_fault("hid_wedge")
    codes.set_fault("hid_wedge")
    hosts = [PtyHost(card), PtyHost(codes)]
    for host in hosts:
        host.start()
    bus = EventBus(threaded=False)
    options = {"opener": open_plain}  # a pty sends the records: nothing to grab
    reader = CardReader("card-reader", hosts[0].url, bus=bus,
                        transport_factory=KeyboardTransport, transport_options=options)  # fmt: skip
    scanner = Scanner("scanner", hosts[1].url, bus=bus,
                      transport_factory=KeyboardTransport, transport_options=options)  # fmt: skip
    reader.open()
    scanner.open()
    try:
        assert card.swipe(tracks_for("4539578763621486"))
        assert [e.tracks for e in events_of(bus, CardSwiped)] == [(1, 2)]
        assert codes.scan("https://kiosk.example/h/ABCD")
        assert [e.data for e in events_of(bus, CodeScanned)] == ["https://kiosk.example/h/ABCD"]
    finally:
        reader.close()
        scanner.close()
        for host in hosts:
            host.stop()
        bus.close()
