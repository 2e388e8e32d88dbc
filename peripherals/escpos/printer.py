"""The ESC/POS receipt printer driver: a Device over a SerialTransport.

* On every (re)connection the init is replayed: ESC @, automatic status back (when the profile has
  it). With ASB the printer tells us about paper/cover changes by itself. ESC @ resets GS a on some
  models (Bixolon SRP-E300/302), so every ESC @ we send — a job starts with one — is followed by
  GS a again.
* Status (DLE EOT queries, ASB, the idle poll, "silent" printers that never answer) is the base
  class :class:`~peripherals.escpos.status_reader.StatusReader`, in its own module: this one sends
  jobs and waits for them.
* Printing: the receipt is rendered once (render.py), followed by GS ( H with a job id; "printed"
  means the printer sent the completion reply for that id. No reply by the deadline → the status is
  read to say why (paper out, cover open…) → DeviceFault; a printer that answers "online, no fault"
  printed it (a unit without GS ( H) → success, confirmed by status from then on; DeviceTimeout
  only when the printer cannot be asked at all.
* GS ( H is not everywhere (TM-T88III, TM-U220/U230, many clones): when the profile claims it, one
  probe at open (and after a reconnect, before the next job) finds out. Without it a job is
  "status-checked": written, the line drained, then DLE EOT read — a fault then fails the job, no
  fault means printed (JobCompleted detail "status-checked"). A fault after that check reaches us by
  ASB or the idle poll, not on this job.
* A fault in the middle of a job (paper out, cover open) leaves the rest of it in the printer's
  buffer, which would print when staff fix the fault — unseen, or twice after a reprint. The driver
  therefore clears the buffer at once (DLE DC4 fn 8, or DLE ENQ 2 — profile `buffer_clear`) and
  raises DeviceFault with `partial=True`: the receipt may have come out in part, nothing more of it
  will; a reprint prints it whole, once.
* A fault the status shows *before* a job is sent (paper already out, cover open) is not a partial
  print: the job is not sent at all, and the DeviceFault has `partial=False` — nothing printed. The
  status is read before every job, with ASB too (an ASB block can be lost or not yet arrived).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from peripherals.conditions import (
    Condition,
    HealthLevel,
    HealthResult,
)
from peripherals.errors import (
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    PeripheralError,
)
from peripherals.escpos import commands as cmd
from peripherals.escpos.poll import StatusPoller
from peripherals.escpos.profiles import Profile, get_profile
from peripherals.escpos.receipt import Line, Qr, Receipt
from peripherals.escpos.render import render_receipt
from peripherals.escpos.status import PrinterStatus, expect_cleared, expect_completion
from peripherals.escpos.status_reader import (
    NO_DEVICE,
    NO_STATUS,
    PaperState,
    StatusLink,
    StatusReader,
)
from peripherals.events import EventBus, JobCompleted
from peripherals.stats import DeviceStats
from peripherals.transport import (
    Backoff,
    SerialTransport,
    UsbMatch,
    pop_flow_control,
)

__all__ = ["NO_DEVICE", "NO_STATUS", "PaperState", "ReceiptPrinter", "create"]

log = logging.getLogger(__name__)


class ReceiptPrinter(StatusReader):
    """ESC/POS receipt printer. See the module docstring (and :mod:`.status_reader`)."""

    driver = "escpos"

    def __init__(
        self,
        name: str,
        port: str,
        *,
        profile: Profile | str = "default",
        baudrate: int = 115200,
        status_timeout: float = 0.25,
        completion_timeout: float = 20.0,
        write_timeout: float = 2.0,
        status_poll: float = 5.0,
        probe_timeout: float = 1.0,
        backoff: Backoff | None = None,
        usb_match: UsbMatch | None = None,
        serial_options: Mapping[str, Any] | None = None,
        bus: EventBus | None = None,
        stats: DeviceStats | None = None,
    ) -> None:
        super().__init__(name, bus=bus, stats=stats)
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self.status_timeout = status_timeout
        self.completion_timeout = completion_timeout
        self.probe_timeout = probe_timeout
        self.silent = not self.profile.realtime_status  # no status replies: do not wait for any
        #: does this unit answer GS ( H? None: not known yet (probed at open / before a job)
        self.completion_id: bool | None = None if self.profile.completion_id else False
        self.last_status: PrinterStatus | None = None
        self._link = StatusLink(self)
        self.transport = SerialTransport(
            port,
            self._link,
            name=name,
            baudrate=baudrate,
            write_timeout=write_timeout,
            backoff=backoff,
            usb_match=usb_match,
            stats=self.statistics,
            serial_options=dict(serial_options or {}),
        )
        self._jobs = itertools.count(1)
        self._job_lock = threading.Lock()
        self._pending: bytes | None = None
        self._job_done = threading.Event()
        self._io_lock = threading.RLock()  # a job or a query: a poll that can't take it skips
        self._status_lock = threading.Lock()  # orders ASB blocks against query results
        self._asb_count = 0
        self.status_poll = status_poll
        poll = status_poll > 0 and self.profile.realtime_status
        self._poller = StatusPoller(name, status_poll, self.poll_status) if poll else None

    # ------------------------------------------------------------------ lifecycle
    def _open(self) -> None:
        connected = self.transport.open()
        if self._poller is not None:
            self._poller.start()  # it waits one interval, and skips while the port is away
        if not connected:
            self._report(Condition.NO_DEVICE, (NO_DEVICE,), "port not found")
            return
        try:
            self.query_status()
            self._probe_completion()
        except PeripheralError as exc:
            log.info("%s: first status read failed: %s", self.name, exc)

    def _probe_completion(self) -> None:
        """Ask GS ( H once with nothing to print: the reply comes at once, or never (no GS ( H).

        Only while online with no fault — an offline printer holds the reply back, which would look
        like a unit without GS ( H. Caller holds no lock or the io lock.
        """
        if self.completion_id is not None or self.silent or not self.transport.connected:
            return
        if self.condition is not Condition.ONLINE:
            return
        with self._io_lock:
            probe = b"OPEN"
            try:
                self.transport.request(
                    cmd.completion_request(probe), expect_completion(probe), self.probe_timeout
                )
            except DeviceTimeout:
                self.completion_id = False
                log.info(
                    "%s: no GS ( H process-ID response; jobs are confirmed by status", self.name
                )
                return
            self.completion_id = True

    def _close(self) -> None:
        if self._poller is not None:
            self._poller.stop()
        self.transport.close()

    # ------------------------------------------------------------------ printing
    def print_receipt(self, receipt: Receipt, timeout: float | None = None) -> str:
        """Print and wait until the printer confirms (GS ( H, else DLE EOT); returns the job id.

        Raises DeviceFault (paper out, cover open… before or during the job; `partial` is True when
        it came during the job: the rest was cleared from the printer), DeviceUnavailable
        (unplugged), DeviceTimeout (no confirmation and the printer cannot be asked why).
        """
        with self._busy("receipt"), self._io_lock:
            if self.transport.connected and not self.silent:
                self.query_status()  # the status before sending (ASB or not): paper, cover
                self._refuse_if_faulted()
                self._probe_completion()
            job_id = f"{next(self._jobs) % 10000:04d}"
            data = self._init_bytes() + render_receipt(receipt, self.profile, init=False)
            confirm = bool(self.completion_id) and not self.silent
            if confirm:
                data += cmd.completion_request(job_id.encode("ascii"))
            with self._job_lock:
                self._pending = job_id.encode("ascii") if confirm else None
                self._job_done.clear()
            line_time = len(data) * 10 / max(1, self.transport.baudrate)
            try:
                self.transport.write(data)
                if confirm:
                    detail = self._await_completion(
                        job_id, (timeout or self.completion_timeout) + line_time
                    )
                elif not self.silent:
                    detail = self._check_by_status(line_time)
                else:
                    detail = "unconfirmed"
            except DeviceFault as exc:
                self._clear_buffer(line_time)
                self._publish(JobCompleted(self.name, job_id, ok=False, detail="DeviceFault"))
                raise DeviceFault(
                    f"{exc} The receipt may have come out in part; the rest was cancelled.",
                    exc.faults,
                    partial=True,
                ) from exc
            except PeripheralError as exc:
                self._publish(JobCompleted(self.name, job_id, ok=False, detail=type(exc).__name__))
                raise
            finally:
                with self._job_lock:
                    self._pending = None
            self.statistics.increment("lines", receipt.text_lines)
            if receipt.cut != "none" and self.profile.cut != "none":
                self.statistics.increment("cuts")
            self._publish(JobCompleted(self.name, job_id, ok=True, detail=detail))
            return job_id

    def _await_completion(self, job_id: str, timeout: float) -> str:
        """Wait for the GS ( H reply: "" when it came, "status-checked" when the printer says it is
        fine without one. Raises DeviceFault / DeviceUnavailable / DeviceTimeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._job_done.wait(left):
                break
            with self._job_lock:
                if self._pending is None:
                    return ""  # completed
                self._job_done.clear()
            if not self.transport.connected:
                raise DeviceUnavailable(
                    f"{self.name} was unplugged during the job", Condition.NO_DEVICE
                )
            self._raise_if_faulted()
        status = self.query_status() if self.transport.connected else None
        self._raise_if_faulted()
        if not self.transport.connected:
            raise DeviceUnavailable(
                f"{self.name} was unplugged during the job", Condition.NO_DEVICE
            )
        if status is not None and not any(f.blocking for f in status.assess()[1]):
            # online, no fault, yet no process-ID reply: a unit without GS ( H printed it
            self.completion_id = False
            log.warning(
                "%s: job %s printed without a GS ( H reply; confirming by status from now on",
                self.name,
                job_id,
            )
            return "status-checked"
        raise DeviceTimeout(f"{self.name}: job {job_id} not confirmed within {timeout:.1f} s")

    def _check_by_status(self, line_time: float) -> str:
        """No GS ( H: once the job has gone down the line, read DLE EOT — a fault fails the job."""
        self._job_done.wait(line_time)  # an ASB fault wakes us early
        self._raise_if_faulted()
        status = self._read_status()
        if status is None:
            return "unconfirmed"
        with self._status_lock:
            self._apply_status(status, "job status check")
        blocking = [f for f in status.assess()[1] if f.blocking]
        if blocking:
            raise DeviceFault("; ".join(f.message for f in blocking), blocking)
        return "status-checked"

    def _clear_buffer(self, line_time: float) -> None:
        """Throw away what is left of a failed job in the printer (see the module docstring).

        The clear goes down the line behind the job, so its reply may take up to the job's line
        time; the printer executes DLE DC4 fn 8 even while offline."""
        if not self.transport.connected or self.silent:
            return
        try:
            if self.profile.buffer_clear == "dle_dc4":
                wait = line_time + self.status_timeout * 4
                self.transport.request(cmd.clear_buffers(), expect_cleared, wait)
            elif self.profile.buffer_clear == "dle_enq":
                self.transport.write(cmd.recover(clear_buffers=True))
        except PeripheralError as exc:
            log.warning("%s: buffer clear after a fault failed: %s", self.name, exc)

    def _refuse_if_faulted(self) -> None:
        """Before a job: a blocking fault means nothing is sent, so nothing printed (partial
        False) — the citizen is told so, not that part of a receipt may have come out."""
        blocking = [f for f in self.faults if f.blocking]
        if blocking:
            text = "; ".join(f.message for f in blocking)
            raise DeviceFault(f"{text} Nothing was sent to the printer.", blocking, partial=False)

    def _raise_if_faulted(self) -> None:
        blocking = [f for f in self.faults if f.blocking]
        if blocking:
            raise DeviceFault("; ".join(f.message for f in blocking), blocking)

    def _completed(self, job_id: bytes | None) -> None:
        with self._job_lock:
            if job_id is None or job_id == self._pending:
                if job_id is not None:
                    self._pending = None
                self._job_done.set()

    def recover(self, clear_buffers: bool = True) -> None:
        """DLE ENQ: ask the printer to leave a recoverable error (after staff fixed it)."""
        self.transport.write(cmd.recover(clear_buffers))

    # ------------------------------------------------------------------ health
    def _check_health(self, level: HealthLevel) -> HealthResult:
        details: dict[str, Any] = {"profile": self.profile.name, "port": self.transport.url}
        details["confirmation"] = (
            "none" if self.silent else "process id" if self.completion_id else "status"
        )
        if not self.transport.connected:
            return self._failing(
                level,
                "The receipt printer is not connected.",
                details,
                condition=Condition.NO_DEVICE,
            )
        status = self.query_status()
        if status is None:
            return self._failing(
                level,
                "The receipt printer does not answer status requests.",
                details,
                condition=Condition.UNKNOWN,
            )
        if level >= HealthLevel.EXTERNAL and not any(f.blocking for f in self.faults):
            try:
                details["test_job"] = self.print_receipt(self._test_slip())
            except PeripheralError as exc:
                return self._failing(level, f"The test slip did not print: {exc}", details)
        blocking = [f for f in self.faults if f.blocking]
        ok = not blocking
        if ok:
            sentence = "The receipt printer is ready."
            if level >= HealthLevel.EXTERNAL:
                sentence = "A test slip was printed; check that it is readable."
            if any(f.code == "paper_near_end" for f in self.faults):
                sentence += " Paper is running low."
        else:
            sentence = " ".join(f.message for f in blocking)
        return self._health(level, ok, sentence, details)

    def _test_slip(self) -> Receipt:
        stats = self.statistics.snapshot()
        return Receipt(
            [
                Line("TEST SLIP", bold=True, align="center", width=2, height=2),
                Line(f"{self.name} · {self.profile.name}"),
                Line(time.strftime("%Y-%m-%d %H:%M:%S")),
                Line(f"lines {stats.get('lines', 0)}  cuts {stats.get('cuts', 0)}"),
                Line("Dŵr · ŷ · â ê î ô û"),
                Qr("TEST-" + self.name, module_size=4),
            ]
        )


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> ReceiptPrinter:
    """Registry factory ("escpos").

    Options (kiosk.toml `options = {…}`): profile (profiles.toml name, default "default"),
    baud / baudrate, codepage (preferred code page, must be one the profile has: it is tried first
    and used for transliteration), width_chars (override the profile), welsh_fallback
    ("user_defined", "transliterate" or "raster": override the profile), status_timeout,
    completion_timeout, write_timeout, status_poll (seconds; 0: no idle status poll), usb_vid /
    usb_pid / usb_serial (re-find the port by USB identity after an unplug), rtscts / dsrdtr /
    xonxoff (serial flow control, booleans, default off). Unknown options raise ValueError
    (→ ConfigurationError).
    """
    if re.match(r"^/dev/(usb/lp|usblp)[0-9]+$", port):
        raise ValueError(
            f"{port} is a USB printer-class device (usblp), not a serial port: use the printer's "
            "USB virtual-serial mode (/dev/ttyACM0), a serial cable or socket://HOST:9100"
        )
    opts = dict(options)
    flow = pop_flow_control(opts)
    usb = None
    if any(k in opts for k in ("usb_vid", "usb_pid", "usb_serial")):
        usb = UsbMatch(
            opts.pop("usb_vid", None), opts.pop("usb_pid", None), opts.pop("usb_serial", None)
        )
    profile = get_profile(str(opts.pop("profile", "default")))
    if "baud" in opts:
        opts["baudrate"] = opts.pop("baud")
    codepage = opts.pop("codepage", None)
    if codepage is not None:
        codec = str(codepage).lower().replace("-", "_")
        if codec not in profile.code_pages:
            raise ValueError(
                f"codepage {codepage!r} is not in profile {profile.name} "
                f"({', '.join(profile.code_pages)})"
            )
        pages = {codec: profile.code_pages[codec], **profile.code_pages}
        profile = replace(profile, code_pages=pages)
    if "width_chars" in opts:
        profile = replace(profile, width_chars=int(opts.pop("width_chars")))
    if "welsh_fallback" in opts:  # Profile checks the value (ConfigurationError)
        profile = replace(profile, welsh_fallback=str(opts.pop("welsh_fallback")))
    allowed = {"baudrate", "status_timeout", "completion_timeout", "write_timeout", "status_poll"}
    unknown = set(opts) - allowed
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))}")
    return ReceiptPrinter(
        name,
        port,
        profile=profile,
        usb_match=usb,
        serial_options=flow,
        bus=bus,
        stats=stats,
        **opts,
    )
