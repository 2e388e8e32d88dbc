"""Split a MagTek-style serial stream into swipe frames.

A frame is: optional STX (0x02), the tracks back to back, optional CR (0x0D), optional ETX (0x03).
With STX the frame ends at ETX; without it, at CR, LF or ETX. A frame must be complete within
`deadline` seconds of its first byte, and an STX always starts a new frame (resynchronisation after
noise): a half frame (cable pulled mid-swipe, garbage) is dropped as an
error when the next bytes arrive, instead of gluing itself to the next swipe. Frames longer than
`max_len` are dropped too, so a stream of noise cannot grow the buffer without end.

ID TECH MiniMag format (`track_gap` set): without STX, every track ends with its own CR, so a CR
after an end sentinel ends a *track*, not the swipe. The swipe goes on when the next start sentinel
is of a later track (% then ; then +) and ends when an earlier-or-same track starts (the next
swipe), when track 3 has ended, or when `track_gap` seconds pass with nothing more — the reader
sends a whole swipe back to back, so a short gap is enough. `due` says when `expire()` has work, so
the driver can set a timer instead of waiting for the next swipe's bytes.

Pure and clock-injected: `feed(data, now)` returns what completed; no threads, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Frame", "Framer"]

STX, ETX, CR, LF = 0x02, 0x03, 0x0D, 0x0A
TRACK_ORDER = {ord("%"): 1, ord(";"): 2, ord("+"): 3}
END_SENTINEL = ord("?")


@dataclass(frozen=True)
class Frame:
    """A complete frame's payload (framing bytes removed), or an error sentence."""

    payload: bytes = b""
    error: str | None = None


class Framer:
    def __init__(
        self, deadline: float = 1.0, max_len: int = 1024, track_gap: float | None = None
    ) -> None:
        self.deadline = deadline
        self.max_len = max_len
        self.track_gap = track_gap
        self._buf = bytearray()
        self._started: float | None = None
        self._track_ended: float | None = None  # ID TECH: a track ended (CR) at; more may follow
        self._last_track = 0

    @property
    def pending(self) -> int:
        return len(self._buf)

    @property
    def due(self) -> float | None:
        """When `expire()` next has something to do, or None when nothing is pending."""
        if self._track_ended is not None and self.track_gap is not None:
            return self._track_ended + self.track_gap
        if self._buf and self._started is not None:
            return self._started + self.deadline
        return None

    def expire(self, now: float) -> list[Frame]:
        """Finish an ID TECH swipe after its gap; drop a half frame older than the deadline (call
        when bytes arrive or on a timer)."""
        if self._track_ended is not None and self.track_gap is not None:
            if now - self._track_ended >= self.track_gap:
                return [self._emit()]
            return []
        if self._buf and self._started is not None and now - self._started > self.deadline:
            self._reset()
            return [Frame(error="incomplete swipe (frame not finished in time)")]
        return []

    def _reset(self) -> None:
        self._buf.clear()
        self._started = None
        self._track_ended = None
        self._last_track = 0

    def _emit(self) -> Frame:
        frame = Frame(bytes(self._buf).strip(b"\x02\x03\r\n"))
        self._reset()
        return frame

    def feed(self, data: bytes, now: float) -> list[Frame]:
        out = self.expire(now)
        for byte in data:
            if self._track_ended is not None:  # ID TECH: between two tracks of one swipe?
                if byte in (CR, LF):
                    continue
                if TRACK_ORDER.get(byte, 0) > self._last_track:
                    self._track_ended = None  # the next track of the same swipe
                    self._last_track = TRACK_ORDER[byte]
                else:
                    out.append(self._emit())
            if byte == STX and self._buf:  # a new frame starts: what came before was broken
                out.append(Frame(error="broken frame (new frame started before the end)"))
                self._reset()
            if not self._buf:
                if byte in (CR, LF, ETX):  # noise between frames
                    continue
                self._started = now
                self._last_track = TRACK_ORDER.get(byte, 0)
            framed = self._buf[:1] == b"\x02" or byte == STX
            if (
                self.track_gap is not None
                and not framed
                and byte in (CR, LF)
                and self._buf[-1:] != b""
                and self._last_track
            ):
                if self._last_track == 3:
                    out.append(self._emit())  # nothing comes after track 3
                else:
                    self._track_ended = now
                continue
            self._buf.append(byte)
            if (framed and byte == ETX) or (not framed and byte in (CR, LF, ETX)):
                out.append(self._emit())
            elif len(self._buf) > self.max_len:
                out.append(Frame(error="frame too long"))
                self._reset()
        return out
