"""Codes from a scanner in serial "keyboard" mode: the decoded text, then CR or CR LF.

Pure and clock-injected. Why reject control characters and bad UTF-8: a line with them is noise on
the wire (or a garbled frame), and passing it on would put junk into a form field or a handoff
lookup. GS (0x1D) is the exception: it is the GS1 field separator (FNC1) inside GS1-128, GS1
DataMatrix and GS1 QR codes, so it is part of the code.

* Inter-character deadline (`gap`): a scanner sends a code back to back at line speed (about 1 ms a
  character at 9600 baud). Bytes that sit in the buffer longer than `gap` with no suffix (a stray
  byte from a bump or a half-sent code) are reported as a read error when the next byte comes late,
  instead of being glued to the front of the next code.
* AIM symbology identifiers (ISO/IEC 15424): a scanner set to send them starts every code with
  ``]`` + code character + modifier (``]Q1`` QR, ``]C1`` GS1-128, ``]E0`` EAN-13, ``]d2`` GS1
  DataMatrix…). `parse_aim` takes the prefix off and names the symbology.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AIM_SYMBOLOGIES", "LineSplitter", "ScannedLine", "parse_aim"]

GS = "\x1d"

#: AIM code character → symbology (names as in ssi.SYMBOLOGIES); modifiers that change it below
AIM_SYMBOLOGIES = {
    "A": "code39",
    "C": "code128",
    "d": "datamatrix",
    "E": "ean13",
    "e": "gs1-databar",
    "F": "codabar",
    "G": "code93",
    "H": "code11",
    "I": "interleaved-2of5",
    "L": "pdf417",
    "M": "msi",
    "Q": "qr",
    "U": "maxicode",
    "z": "aztec",
    "X": "other",
}
_AIM_MODIFIED = {
    "C1": "gs1-128",
    "d2": "gs1-datamatrix",
    "E4": "ean8",
    "Q3": "gs1-qr",
    "Q4": "gs1-qr",
}
_AIM = re.compile(r"^\](?P<code>[A-Za-z])(?P<mod>[0-9A-Za-z])")


def parse_aim(text: str) -> tuple[str | None, str]:
    """(symbology, code without its AIM prefix); (None, text) when there is no AIM prefix."""
    m = _AIM.match(text)
    if m is None or m["code"] not in AIM_SYMBOLOGIES:
        return None, text
    key = m["code"] + m["mod"]
    return _AIM_MODIFIED.get(key, AIM_SYMBOLOGIES[m["code"]]), text[3:]


@dataclass(frozen=True)
class ScannedLine:
    text: str | None = None
    error: str | None = None


class LineSplitter:
    def __init__(self, max_len: int = 4096, gap: float | None = None) -> None:
        self.max_len = max_len
        self.gap = gap
        self._buf = bytearray()
        self._overflow = False
        self._last = 0.0

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes, now: float = 0.0) -> list[ScannedLine]:
        out: list[ScannedLine] = []
        if self.gap is not None and (self._buf or self._overflow) and now - self._last > self.gap:
            out.append(ScannedLine(error="incomplete code (stray characters on the line)"))
            self._buf.clear()
            self._overflow = False
        if data:
            self._last = now
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overflow:
                    out.append(ScannedLine(error="code too long"))
                elif self._buf:
                    out.append(_decode(bytes(self._buf)))
                self._buf.clear()
                self._overflow = False
            elif len(self._buf) >= self.max_len:
                self._overflow = True
                self._buf.clear()
            elif not self._overflow:
                self._buf.append(byte)
        return out


def _decode(raw: bytes) -> ScannedLine:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ScannedLine(error="unreadable characters in the code")
    if any((ord(c) < 0x20 and c not in ("\t", GS)) or ord(c) == 0x7F for c in text):
        return ScannedLine(error="control characters in the code")
    return ScannedLine(text=text)
