"""What an ESC/POS printer says back: decode status bytes, split the incoming stream.

Four kinds of frame share the printer → host direction, told apart by their first bytes:
  real-time status (reply to DLE EOT n)  1 byte  bit pattern 0xx1xx10  ((b & 0x93) == 0x12)
  automatic status back (ASB)            4 bytes first byte 0xx1xx00  ((b & 0x93) == 0x10), bytes
                                                 2–4 with bits 4 and 7 fixed to 0
  print completion (reply to GS ( H)     7 bytes 37 22 d1 d2 d3 d4 00   (d in 30…7E)
  buffer cleared (reply to DLE DC4 fn 8) 3 bytes 37 25 00
Anything else is noise (line garbage, a clone's stray bytes) and is skipped one byte at a time, so a
garbled line can never wedge the splitter.

* XOFF (13) may interrupt a multi-byte frame (Epson: the ASB bytes are "consecutive except for
  XOFF", and likewise the process-ID and clear responses): it is skipped inside a frame, and can
  never be mistaken for one of its bytes (13 has bit 4 set and is below 30).
* A frame is given up as soon as a byte arrives that cannot belong to it, not when enough bytes
  have arrived: a stray byte shaped like an ASB start (say 10) followed by the real-time reply 12
  is one byte of noise and then the reply — waiting for "the other three ASB bytes" would hide the
  reply until its request timed out.

ASB layout (Epson): byte 1 as DLE EOT 1/2 (0x08 offline, 0x20 cover open), byte 2 error causes as
DLE EOT 3 (0x04 mechanical, 0x08 auto-cutter, 0x20 unrecoverable, 0x40 auto-recoverable), byte 3
paper sensor (0x03 near end, 0x0C paper end), byte 4 reserved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peripherals.conditions import ActionHint, Condition, Fault

__all__ = [
    "AsbBlock",
    "BufferCleared",
    "Completion",
    "Noise",
    "PrinterStatus",
    "RealtimeStatus",
    "StatusStream",
    "expect_cleared",
    "expect_completion",
    "expect_realtime",
    "is_asb_start",
    "is_realtime",
    "strip_xoff",
]


def is_realtime(b: int) -> bool:
    return (b & 0x93) == 0x12


def is_asb_start(b: int) -> bool:
    return (b & 0x93) == 0x10


@dataclass(frozen=True)
class RealtimeStatus:
    value: int


@dataclass(frozen=True)
class AsbBlock:
    data: bytes


@dataclass(frozen=True)
class Completion:
    job_id: bytes


@dataclass(frozen=True)
class BufferCleared:
    """37 25 00: the printer has emptied its receive and print buffers (DLE DC4 fn 8)."""


@dataclass(frozen=True)
class Noise:
    data: bytes


Frame = RealtimeStatus | AsbBlock | Completion | BufferCleared | Noise

XOFF = 0x13


def _asb_byte(_: int, x: int) -> bool:
    return (x & 0x90) == 0  # ASB bytes 2–4: bits 4 and 7 fixed to 0


def _completion_byte(i: int, x: int) -> bool:
    if i == 1:
        return x == 0x22
    return 0x30 <= x <= 0x7E if i < 6 else x == 0x00


def _cleared_byte(i: int, x: int) -> bool:
    return x == (0x25 if i == 1 else 0x00)


def _collect(buf: bytes, want: int, valid: Callable[[int, int], bool]) -> int | None:
    """Bytes taken by a `want`-byte frame starting at buf[0], XOFF skipped inside it; -1 as soon as
    a byte cannot belong to it; None while incomplete."""
    got = 1
    for i in range(1, len(buf)):
        x = buf[i]
        if x == XOFF:
            continue
        if not valid(got, x):
            return -1
        got += 1
        if got == want:
            return i + 1
    return None


def _frame_length(buf: bytes) -> int | None:
    """Bytes taken by the frame at buf[0] (negative: noise of that many bytes), None if incomplete."""
    b = buf[0]
    if b == 0x37:
        second = next((x for x in buf[1:] if x != XOFF), None)
        if second is None:
            return None
        if second == 0x25:
            return _collect(buf, 3, _cleared_byte)
        return _collect(buf, 7, _completion_byte)
    if is_asb_start(b):
        return _collect(buf, 4, _asb_byte)
    if is_realtime(b):
        return 1
    return -1


def strip_xoff(frame: bytes) -> bytes:
    """A frame's bytes without the XOFFs that interrupted it (its first byte is never XOFF)."""
    return frame[:1] + bytes(x for x in frame[1:] if x != XOFF)


class StatusStream:
    """Feed bytes, get frames. Keeps an incomplete frame across feed() calls."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        noise = b""
        while self._buf:
            n = _frame_length(self._buf)
            if n is None:
                break
            if n < 0:
                noise += self._buf[:1]
                self._buf = self._buf[1:]
                continue
            if noise:
                frames.append(Noise(noise))
                noise = b""
            raw, self._buf = self._buf[:n], self._buf[n:]
            frame = strip_xoff(raw)
            if len(frame) == 1:
                frames.append(RealtimeStatus(frame[0]))
            elif len(frame) == 4:
                frames.append(AsbBlock(frame))
            elif len(frame) == 3:
                frames.append(BufferCleared())
            else:
                frames.append(Completion(frame[2:6]))
        if noise:
            frames.append(Noise(noise))
        return frames


def expect_realtime(buf: bytes) -> int | None:
    """transport.request matcher: the reply is one real-time status byte; other frames pass by."""
    n = _frame_length(buf)
    if n is None:
        return None
    if n == 1 and is_realtime(buf[0]):
        return 1
    return -abs(n)


def expect_completion(job_id: bytes) -> Callable[[bytes], int | None]:
    """transport.request matcher for the completion reply of `job_id`."""

    def match(buf: bytes) -> int | None:
        n = _frame_length(buf)
        if n is None:
            return None
        frame = strip_xoff(buf[: abs(n)])
        if n > 0 and len(frame) == 7 and frame[2:6] == job_id:
            return n
        return -abs(n)

    return match


def expect_cleared(buf: bytes) -> int | None:
    """transport.request matcher for the clear response 37 25 00 of DLE DC4 fn 8."""
    n = _frame_length(buf)
    if n is None:
        return None
    if n > 0 and len(strip_xoff(buf[:n])) == 3 and buf[0] == 0x37:
        return n
    return -abs(n)


@dataclass(frozen=True)
class PrinterStatus:
    """Decoded printer status, from DLE EOT 1–4 replies or from an ASB block."""

    offline: bool = False
    cover_open: bool = False
    paper_end: bool = False
    paper_near_end: bool = False
    paper_end_stop: bool = False
    feed_button: bool = False
    error: bool = False
    mechanical_error: bool = False
    cutter_error: bool = False
    unrecoverable: bool = False
    auto_recoverable: bool = False
    waiting_recovery: bool = False

    @classmethod
    def from_realtime(cls, replies: dict[int, int]) -> PrinterStatus:
        """From {n: reply byte} of DLE EOT n (any subset of 1–4)."""
        s1, s2, s3, s4 = (replies.get(n, 0x12) for n in (1, 2, 3, 4))
        return cls(
            offline=bool(s1 & 0x08),
            waiting_recovery=bool(s1 & 0x20),
            cover_open=bool(s2 & 0x04),
            feed_button=bool(s2 & 0x08),
            paper_end_stop=bool(s2 & 0x20),
            error=bool(s2 & 0x40),
            mechanical_error=bool(s3 & 0x04),
            cutter_error=bool(s3 & 0x08),
            unrecoverable=bool(s3 & 0x20),
            auto_recoverable=bool(s3 & 0x40),
            paper_near_end=(s4 & 0x0C) == 0x0C,
            paper_end=(s4 & 0x60) == 0x60 or bool(s2 & 0x20),
        )

    @classmethod
    def from_asb(cls, block: bytes) -> PrinterStatus:
        b1, b2, b3 = block[0], block[1], block[2]
        return cls(
            offline=bool(b1 & 0x08),
            cover_open=bool(b1 & 0x20),
            feed_button=bool(b1 & 0x40),
            mechanical_error=bool(b2 & 0x04),
            cutter_error=bool(b2 & 0x08),
            unrecoverable=bool(b2 & 0x20),
            auto_recoverable=bool(b2 & 0x40),
            error=bool(b2 & 0x6C),
            paper_near_end=bool(b3 & 0x03),
            paper_end=bool(b3 & 0x0C),
        )

    def assess(self) -> tuple[Condition, tuple[Fault, ...]]:
        """The device condition and the faults (with action hints) this status means."""
        faults: list[Fault] = []
        if self.paper_end:
            faults.append(
                Fault(
                    "paper_out",
                    Condition.USER_ERROR,
                    ActionHint.CLEAR,
                    "The receipt printer is out of paper: load a new roll.",
                )
            )
        if self.cover_open:
            faults.append(
                Fault(
                    "cover_open",
                    Condition.USER_ERROR,
                    ActionHint.CLEAR,
                    "The receipt printer cover is open: close it.",
                )
            )
        if self.cutter_error:
            faults.append(
                Fault(
                    "cutter_error",
                    Condition.HARDWARE_ERROR,
                    ActionHint.MAINTENANCE,
                    "The receipt cutter is jammed: call a technician.",
                )
            )
        if self.mechanical_error:
            faults.append(
                Fault(
                    "mechanical_error",
                    Condition.HARDWARE_ERROR,
                    ActionHint.MAINTENANCE,
                    "The receipt printer mechanism failed.",
                )
            )
        if self.unrecoverable:
            faults.append(
                Fault(
                    "unrecoverable_error",
                    Condition.HARDWARE_ERROR,
                    ActionHint.MAINTENANCE,
                    "The receipt printer has a fault it cannot recover from.",
                )
            )
        if self.auto_recoverable and not self.cover_open:
            # Epson: opening the cover while printing is itself an auto-recoverable error (it
            # resumes once closed), so the bit is set with "cover open" — that is the fault to name,
            # not an overheated head
            faults.append(
                Fault(
                    "auto_recoverable_error",
                    Condition.HARDWARE_ERROR,
                    ActionHint.RESET,
                    "The receipt printer paused (e.g. head too hot); it will resume.",
                )
            )
        if self.offline and not faults:
            faults.append(
                Fault(
                    "offline",
                    Condition.OFFLINE,
                    ActionHint.RESET,
                    "The receipt printer is offline.",
                )
            )
        if self.paper_near_end and not self.paper_end:
            faults.append(
                Fault(
                    "paper_near_end",
                    Condition.ONLINE,
                    ActionHint.CLEAR,
                    "The receipt paper is running low.",
                    blocking=False,
                )
            )
        order = (Condition.HARDWARE_ERROR, Condition.USER_ERROR, Condition.OFFLINE)
        condition = next(
            (c for c in order if any(f.condition is c for f in faults)), Condition.ONLINE
        )
        return condition, tuple(faults)
