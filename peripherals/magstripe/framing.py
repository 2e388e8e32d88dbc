"""Split a MagTek-style serial stream into swipe frames.

A frame is: optional STX (0x02), the tracks back to back, optional CR (0x0D), optional ETX (0x03).
With STX the frame ends at ETX; without it, at CR, LF or ETX. A frame must be complete within
`deadline` seconds of its first byte, and an STX always starts a new frame (resynchronisation after
noise): a half frame (cable pulled mid-swipe, garbage) is dropped as an
error when the next bytes arrive, instead of gluing itself to the next swipe. Frames longer than
`max_len` are dropped too, so a stream of noise cannot grow the buffer without end.

Pure and clock-injected: `feed(data, now)` returns what completed; no threads, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Frame", "Framer"]

STX, ETX, CR, LF = 0x02, 0x03, 0x0D, 0x0A


@dataclass(frozen=True)
class Frame:
    """A complete frame's payload (framing bytes removed), or an error sentence."""

    payload: bytes = b""
    error: str | None = None


class Framer:
    def __init__(self, deadline: float = 1.0, max_len: int = 1024) -> None:
        self.deadline = deadline
        self.max_len = max_len
        self._buf = bytearray()
        self._started: float | None = None

    @property
    def pending(self) -> int:
        return len(self._buf)

    def expire(self, now: float) -> list[Frame]:
        """Drop a half frame older than the deadline (call when bytes arrive or on a timer)."""
        if self._buf and self._started is not None and now - self._started > self.deadline:
            self._buf.clear()
            self._started = None
            return [Frame(error="incomplete swipe (frame not finished in time)")]
        return []

    def feed(self, data: bytes, now: float) -> list[Frame]:
        out = self.expire(now)
        for byte in data:
            if byte == STX and self._buf:  # a new frame starts: what came before was broken
                out.append(Frame(error="broken frame (new frame started before the end)"))
                self._buf.clear()
            if not self._buf:
                if byte in (CR, LF, ETX):  # noise between frames
                    continue
                self._started = now
            self._buf.append(byte)
            framed = self._buf[0] == STX
            if (framed and byte == ETX) or (not framed and byte in (CR, LF, ETX)):
                out.append(Frame(bytes(self._buf).strip(b"\x02\x03\r\n")))
                self._buf.clear()
                self._started = None
            elif len(self._buf) > self.max_len:
                out.append(Frame(error="frame too long"))
                self._buf.clear()
                self._started = None
        return out
