"""Codes from a scanner in serial "keyboard" mode: the decoded text, then CR or CR LF.

Pure and clock-free. Why reject control characters and bad UTF-8: a line with them is noise on the
wire (or a garbled frame), and passing it on would put junk into a form field or a handoff lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LineSplitter", "ScannedLine"]


@dataclass(frozen=True)
class ScannedLine:
    text: str | None = None
    error: str | None = None


class LineSplitter:
    def __init__(self, max_len: int = 4096) -> None:
        self.max_len = max_len
        self._buf = bytearray()
        self._overflow = False

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[ScannedLine]:
        out: list[ScannedLine] = []
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
    if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in text):
        return ScannedLine(error="control characters in the code")
    return ScannedLine(text=text)
