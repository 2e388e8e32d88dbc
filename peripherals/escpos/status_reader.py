"""The status half of the ESC/POS receipt printer: what the printer says about itself.

Why a module of its own: :mod:`peripherals.escpos.printer` sends jobs and waits for their
confirmation; everything here listens and asks — the reader thread's :class:`StatusLink` (init
replay on every connection, ASB blocks, GS ( H completions, unplug) and :class:`StatusReader`,
the real-time DLE EOT queries the driver, the idle poll and the paper check make. Parsing the
bytes is :mod:`peripherals.escpos.status`; this module decides what a status means for the device.

* Status: DLE EOT 1–4 are real-time commands answered at once; each query returns as soon as the
  reply byte arrives (a few ms), with a short deadline. A printer that never answers (clones) is
  reported as condition "unknown" after that deadline — never a hang — and is then driven in
  "silent" mode: jobs are confirmed by the line having drained, not by the printer.
* Status poll: while idle, DLE EOT is also read every `status_poll` s (default 5, 0 off): a lost
  ASB block is corrected within one interval. No poll during a job or query; no answer changes
  nothing. A query overtaken by an ASB block is not applied (no stale "paper out" after "paper
  loaded").

Failure model: a status that does not come is ``None`` (condition unknown, :data:`NO_STATUS`),
never an exception; serial errors are the transport's (translated to :class:`PeripheralError` at
its edge); an unplug reports :data:`NO_DEVICE` and wakes a waiting job.
"""

from __future__ import annotations

import abc
import logging
import threading
from enum import StrEnum

from peripherals.conditions import ActionHint, Condition, DeviceState, Fault
from peripherals.errors import DeviceTimeout
from peripherals.escpos import commands as cmd
from peripherals.escpos.profiles import Profile
from peripherals.escpos.status import (
    AsbBlock,
    BufferCleared,
    Completion,
    Noise,
    PrinterStatus,
    StatusStream,
    expect_realtime,
)
from peripherals.events import Reconnected
from peripherals.model import Device
from peripherals.transport import Protocol, SerialTransport

__all__ = ["NO_DEVICE", "NO_STATUS", "PaperState", "StatusLink", "StatusReader"]

log = logging.getLogger("peripherals.escpos.printer")

NO_DEVICE = Fault(
    "no_device",
    Condition.NO_DEVICE,
    ActionHint.RESET,
    "The receipt printer is disconnected; reconnecting.",
)
NO_STATUS = Fault(
    "no_status_reply",
    Condition.UNKNOWN,
    ActionHint.MAINTENANCE,
    "The receipt printer does not report its status; paper and cover cannot be checked.",
    blocking=False,
)


class PaperState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


class StatusLink(Protocol):
    """What the transport calls (reader thread): init replay, ASB, completions, unplug."""

    def __init__(self, printer: StatusReader) -> None:
        self.printer = printer
        self.stream = StatusStream()

    def connection_made(self, transport: SerialTransport) -> None:
        p = self.printer
        self.stream = StatusStream()
        transport.write(p._init_bytes())
        if transport.reconnects:
            if p.profile.completion_id:
                p.completion_id = None  # maybe another unit now: probe again before the next job
            # the real status follows: the ASB block the printer sends on GS a, or the next query
            p._report(Condition.UNKNOWN, (), "reconnected")
            p._publish(Reconnected(p.name, transport.reconnects))

    def data_received(self, data: bytes) -> None:
        for frame in self.stream.feed(data):
            if isinstance(frame, AsbBlock):
                self.printer._automatic_status(PrinterStatus.from_asb(frame.data))
            elif isinstance(frame, Completion):
                self.printer._completed(frame.job_id)
            elif isinstance(frame, BufferCleared):
                log.debug("%s: buffer cleared (late reply)", self.printer.name)
            elif isinstance(frame, Noise):
                log.debug(
                    "%s: %d byte(s) of line noise ignored", self.printer.name, len(frame.data)
                )

    def connection_lost(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.printer._report(Condition.NO_DEVICE, (NO_DEVICE,), "unplugged")
            self.printer._completed(None)


class StatusReader(Device):
    """The status side of :class:`~peripherals.escpos.printer.ReceiptPrinter` (its base class):
    DLE EOT queries, the idle poll, ASB blocks and what they mean for the device's condition."""

    profile: Profile
    transport: SerialTransport
    status_timeout: float
    silent: bool
    completion_id: bool | None
    last_status: PrinterStatus | None
    _io_lock: threading.RLock
    _status_lock: threading.Lock
    _asb_count: int
    _job_done: threading.Event

    def _init_bytes(self) -> bytes:
        """ESC @, then GS a again (ESC @ resets it on some models)."""
        return cmd.init() + (cmd.asb() if self.profile.asb else b"")

    @abc.abstractmethod
    def _completed(self, job_id: bytes | None) -> None:
        """A GS ( H reply for ``job_id`` (None: the line went away) — the printing side's."""

    def _ask(self, n: int) -> int | None:
        """One DLE EOT n round trip; None when the printer does not answer in time."""
        try:
            reply = self.transport.request(
                cmd.status_request(n), expect_realtime, self.status_timeout
            )
        except DeviceTimeout:
            return None
        return reply[0]

    def query_status(self) -> PrinterStatus | None:
        """Read DLE EOT 1–4 now and report; None (condition unknown) when the printer is silent."""
        with self._io_lock:
            seen = self._asb_count
            status = self._read_status()
            if status is None:
                self.silent = True
                self._report(Condition.UNKNOWN, (NO_STATUS,), "no status reply")
                return None
            self.silent = False
            self._apply_if_fresh(status, seen, "status query")
            return status

    def poll_status(self) -> PrinterStatus | None:
        """One idle-time poll; None when skipped (job, query, no port) or unanswered: state kept."""
        if not self.transport.connected or not self._io_lock.acquire(blocking=False):
            return None
        try:
            if self.state is DeviceState.CLOSED:
                return None
            seen = self._asb_count
            status = self._read_status()
            if status is None:
                log.debug("%s: status poll got no answer", self.name)
                return None
            self.silent = False
            self._apply_if_fresh(status, seen, "status poll")
            return status
        finally:
            self._io_lock.release()

    def _read_status(self) -> PrinterStatus | None:
        """DLE EOT 1, 2 and 3 only when offline, 4; None when a reply does not come."""
        replies: dict[int, int] = {}
        for n in (1, 2, 3, 4):
            if n in (2, 3) and not replies[1] & 0x08:
                continue  # online: causes 2/3 are all clear
            value = self._ask(n)
            if value is None:
                return None
            replies[n] = value
        return PrinterStatus.from_realtime(replies)

    def _automatic_status(self, status: PrinterStatus) -> None:
        """An ASB block (reader thread): always applied, and newer than any query in flight."""
        with self._status_lock:
            self._asb_count += 1
            self._apply_status(status, "automatic status")

    def _apply_if_fresh(self, status: PrinterStatus, seen: int, reason: str) -> None:
        """Apply a query's result unless an ASB block arrived since the query began."""
        with self._status_lock:
            if self._asb_count != seen:
                log.debug("%s: %s overtaken by an automatic status; not applied", self.name, reason)
                return
            self._apply_status(status, reason)

    def paper_status(self) -> PaperState:
        """One DLE EOT 4 round trip: returns as soon as the printer's reply byte arrives."""
        with self._io_lock:
            value = self._ask(4)
        if value is None:
            return PaperState.UNKNOWN
        if value & 0x60 == 0x60:
            return PaperState.OUT
        return PaperState.NEAR_END if value & 0x0C == 0x0C else PaperState.OK

    def _apply_status(self, status: PrinterStatus, reason: str) -> None:
        self.last_status = status
        condition, faults = status.assess()
        self._report(condition, faults, reason)
        if any(f.blocking for f in faults):
            self._job_done.set()  # wake a waiting job: it will fail with these faults
