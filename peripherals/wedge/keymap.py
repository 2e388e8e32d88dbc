"""Kernel input events → characters, with the shift state, per keyboard layout. Pure.

An evdev record is `struct input_event`: struct timeval (two longs), __u16 type, __u16 code,
__s32 value — struct format "llHHi" (24 bytes on 64-bit Linux). type 1 = EV_KEY (value 1 press,
0 release, 2 autorepeat), 0 = EV_SYN, 4 = EV_MSC (scan codes: ignored). Key codes are those of
linux/input-event-codes.h.

Why layouts matter: a wedge reader sends key *positions* as if a person typed on the layout the
host is set to. On a UK (gb) layout ``@`` is shift + the apostrophe key and shift + 2 is ``"``; the
track sentinels % ; = ? ^ sit on the same keys in "us" and "gb", but a code with ``@`` or ``#`` does
not. The layout is the reader's setting, named in kiosk.toml (option `layout`).

Ctrl + ] is GS (0x1D): how HID barcode scanners send the GS1 separator. Enter is CR.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from peripherals.errors import ConfigurationError

__all__ = ["EVENT", "LAYOUTS", "KeyDecoder", "decode_records", "keystrokes"]

EVENT = struct.Struct("llHHi")
EV_SYN, EV_KEY = 0x00, 0x01
KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_CAPSLOCK = 42, 54, 58
KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_RIGHTBRACE = 29, 97, 27

_LETTERS = {**dict(zip(range(16, 26), "qwertyuiop", strict=True)),
            **dict(zip(range(30, 39), "asdfghjkl", strict=True)),
            **dict(zip(range(44, 51), "zxcvbnm", strict=True))}  # fmt: skip
_US = {
    **{code: (d, s) for code, d, s in zip(range(2, 12), "1234567890", "!@#$%^&*()", strict=True)},
    12: ("-", "_"), 13: ("=", "+"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"),
    53: ("/", "?"), 57: (" ", " "), 15: ("\t", "\t"), 28: ("\r", "\r"), 96: ("\r", "\r"),
    # keypad (some scanners type digits there)
    71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 74: ("-", "-"), 75: ("4", "4"),
    76: ("5", "5"), 77: ("6", "6"), 78: ("+", "+"), 79: ("1", "1"), 80: ("2", "2"),
    81: ("3", "3"), 82: ("0", "0"), 83: (".", "."), 98: ("/", "/"), 55: ("*", "*"),
}  # fmt: skip
_GB = {
    **_US,
    3: ("2", '"'), 4: ("3", "£"), 40: ("'", "@"), 41: ("`", "¬"), 43: ("#", "~"),
    86: ("\\", "|"),
}  # fmt: skip

#: layout name → key code → (unshifted, shifted); letters are added from _LETTERS
LAYOUTS: dict[str, dict[int, tuple[str, str]]] = {
    name: {**table, **{code: (ch, ch.upper()) for code, ch in _LETTERS.items()}}
    for name, table in (("us", _US), ("gb", _GB))
}


def decode_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, code, value) of every whole input_event record in `data`."""
    for _sec, _usec, kind, code, value in EVENT.iter_unpack(
        data[: len(data) // EVENT.size * EVENT.size]
    ):
        yield kind, code, value


class KeyDecoder:
    """Feed (type, code, value) events, get the characters typed. Keeps shift/ctrl/caps state."""

    def __init__(self, layout: str = "us") -> None:
        if layout not in LAYOUTS:
            raise ConfigurationError(f"unknown keyboard layout {layout!r} ({', '.join(LAYOUTS)})")
        self.table = LAYOUTS[layout]
        self._shift: set[int] = set()
        self._ctrl: set[int] = set()
        self._caps = False
        self.unknown = 0  # key presses with no character on this layout (counted, not typed)

    def feed(self, events: Iterator[tuple[int, int, int]] | list[tuple[int, int, int]]) -> str:
        out: list[str] = []
        for kind, code, value in events:
            if kind != EV_KEY:
                continue
            if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
                (self._shift.add if value else self._shift.discard)(code)
                continue
            if code in (KEY_LEFTCTRL, KEY_RIGHTCTRL):
                (self._ctrl.add if value else self._ctrl.discard)(code)
                continue
            if value != 1:  # releases and autorepeat type nothing
                continue
            if code == KEY_CAPSLOCK:
                self._caps = not self._caps
                continue
            if self._ctrl:
                if code == KEY_RIGHTBRACE:
                    out.append("\x1d")  # Ctrl + ] = GS, the GS1 separator
                continue
            pair = self.table.get(code)
            if pair is None:
                self.unknown += 1
                continue
            shifted = bool(self._shift)
            if self._caps and code in _LETTERS:
                shifted = not shifted
            out.append(pair[1] if shifted else pair[0])
        return "".join(out)


def keystrokes(text: str, layout: str = "us") -> bytes:
    """The input_event records a keyboard on `layout` sends for `text` — for the emulators' HID
    switch and the benchmark (tests of the decoder write their records out from the kernel
    header instead). CR / LF are Enter, GS is Ctrl + ]; other characters must be on the layout."""
    table = LAYOUTS[layout]
    reverse: dict[str, tuple[int, bool]] = {}
    for code, (plain, shifted) in sorted(table.items(), reverse=True):  # main block before keypad
        reverse[shifted] = (code, True)
        reverse[plain] = (code, False)
    reverse["\n"] = reverse["\r"] = (28, False)
    out = bytearray()

    def stroke(code: int, *mods: int) -> None:
        for value, keys in ((1, [*mods, code]), (0, [code, *reversed(mods)])):
            for key in keys:
                out.extend(EVENT.pack(0, 0, EV_KEY, key, value) + EVENT.pack(0, 0, EV_SYN, 0, 0))

    for ch in text:
        if ch == "\x1d":
            stroke(KEY_RIGHTBRACE, KEY_LEFTCTRL)
            continue
        code, shift = reverse[ch]
        needs_shift = shift and table[code][0] != table[code][1]
        stroke(code, *([KEY_LEFTSHIFT] if needs_shift else []))
    return bytes(out)
