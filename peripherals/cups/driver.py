"""The document printer Device: a CUPS queue reached over IPP.

Why no reader thread: CUPS is a server, not a serial line; status is asked for when it matters (on
open, before each job, while following a job, in health checks) instead of being polled forever.
A job is followed until it is completed (9) or ended otherwise (aborted 8, canceled 7); the
printer's state reasons seen on the way become faults (paper out while a job waits → the screen can
ask staff to add paper; the queue's error policy should be retry-job so the job then carries on).

A job pending on a queue that is stopped (printer-state 5 with "paused", or not accepting jobs) will
not print until someone restarts the queue — and would then print unseen, long after the citizen
left. It is cancelled and reported at once (DeviceFault), not after the job timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from peripherals.conditions import ActionHint, Condition, Fault, HealthLevel, HealthResult
from peripherals.cups.client import IppClient, JobInfo, PrinterInfo
from peripherals.cups.reasons import faults_from_reasons
from peripherals.errors import DeviceFault, DeviceTimeout, DeviceUnavailable, PeripheralError
from peripherals.events import EventBus, JobCompleted
from peripherals.model import Device
from peripherals.stats import DeviceStats

__all__ = ["DocumentPrinter", "create", "test_page"]

STOPPED_QUEUE = frozenset({"queue_paused", "queue_stopped", "not_accepting"})
WAITING = (3, 4)  # pending, held

UNREACHABLE = Fault(
    "no_device",
    Condition.NO_DEVICE,
    ActionHint.MAINTENANCE,
    "The print service (CUPS) cannot be reached.",
)


def test_page(title: str = "Kiosk document printer test") -> bytes:
    """A one-page PDF for the external health check (reportlab, imported only when needed)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica", 18)
    pdf.drawString(72, 760, title)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 736, time.strftime("Printed %Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


class DocumentPrinter(Device):
    driver = "cups"

    def __init__(
        self,
        name: str,
        uri: str,
        *,
        bus: EventBus | None = None,
        stats: DeviceStats | None = None,
        client: IppClient | None = None,
        poll_interval: float = 0.5,
        job_timeout: float = 120.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name, bus=bus, stats=stats)
        self.uri = uri
        self.client = client or IppClient(uri)
        self.poll_interval = poll_interval
        self.job_timeout = job_timeout
        self._sleep = sleep
        self._clock = clock
        self.last_printer: PrinterInfo | None = None

    # ---------------------------------------------------------------- status
    def refresh(self) -> PrinterInfo | None:
        """Ask CUPS for the queue's state and report it; None when CUPS is unreachable."""
        try:
            info = self.client.printer()
        except DeviceUnavailable as exc:
            self._report(Condition.NO_DEVICE, (UNREACHABLE,), str(exc))
            return None
        self.last_printer = info
        faults = faults_from_reasons(info.reasons, info.state, info.accepting)
        blocking = [f for f in faults if f.blocking]
        condition = blocking[0].condition if blocking else Condition.ONLINE
        self._report(condition, faults, f"printer {info.state_name}")
        return info

    # ---------------------------------------------------------------- jobs
    def submit(self, pdf: bytes, title: str = "kiosk document") -> int:
        """Send a PDF to the queue; returns the CUPS job id. Refuses while a blocking fault is on."""
        if not pdf.startswith(b"%PDF"):
            raise ValueError("not a PDF document")
        self.refresh()
        with self._busy("document"):
            job_id = self.client.print_pdf(pdf, title)
        self._log.info("job %d submitted (%d bytes)", job_id, len(pdf))
        return job_id

    def follow(self, job_id: int, timeout: float | None = None) -> JobInfo:
        """Poll the job until it ends; publishes JobCompleted. Raises DeviceTimeout after `timeout`."""
        deadline = self._clock() + (timeout if timeout is not None else self.job_timeout)
        polls = 0
        while True:
            job = self.client.job(job_id)
            if job.finished:
                break
            polls += 1
            if polls % 4 == 1:  # printer reasons (paper out…) while the job waits
                info = self.refresh()
                stopped = [f for f in self.faults if f.code in STOPPED_QUEUE]
                if info is not None and job.state in WAITING and stopped:
                    self._give_up(job, stopped)
            if self._clock() >= deadline:
                raise DeviceTimeout(
                    f"{self.name}: job {job_id} still {job.state_name} at its deadline"
                )
            self._sleep(self.poll_interval)
        ok = job.state == 9
        if ok:
            self.statistics.increment("documents")
        else:
            self.statistics.increment("failed_jobs")
        self.refresh()
        detail = job.state_name + (f" ({', '.join(job.reasons)})" if job.reasons else "")
        self._publish(JobCompleted(self.name, str(job_id), ok, detail))
        return job

    def _give_up(self, job: JobInfo, stopped: list[Fault]) -> None:
        """The queue is stopped: cancel the waiting job (so it never prints unseen) and raise."""
        try:
            self.client.cancel(job.job_id)
        except PeripheralError as exc:
            self._log.warning("job %d could not be cancelled: %s", job.job_id, exc)
        self.statistics.increment("failed_jobs")
        self._publish(JobCompleted(self.name, str(job.job_id), False, "queue stopped"))
        raise DeviceFault(
            f"{self.name}: job {job.job_id} was not printed: "
            + "; ".join(f.message for f in stopped),
            stopped,
        )

    def print_pdf(
        self, pdf: bytes, title: str = "kiosk document", timeout: float | None = None
    ) -> JobInfo:
        """Submit and follow; raises DeviceFault when the job did not complete."""
        job = self.follow(self.submit(pdf, title), timeout)
        if job.state != 9:
            raise DeviceFault(f"{self.name}: job {job.job_id} {job.state_name}", self.faults)
        return job

    # ---------------------------------------------------------------- Device
    def _open(self) -> None:
        self.refresh()

    def _close(self) -> None:
        """Nothing to release: every IPP call opens and closes its own connection."""

    def _check_health(self, level: HealthLevel) -> HealthResult:
        info = self.refresh()
        details: dict[str, Any] = {"uri": self.uri}
        if info is not None:
            details.update(
                state=info.state_name, reasons=list(info.reasons), accepting=info.accepting
            )
        blocking = [f for f in self.faults if f.blocking]
        if info is None or blocking:
            what = "; ".join(f.message for f in blocking) or "CUPS cannot be reached."
            return self._failing(level, f"{self.name}: {what}", details)
        sentence = f"{self.name}: document printer ready ({info.state_name})."
        if level >= HealthLevel.EXTERNAL:
            try:
                job = self.print_pdf(test_page(), "kiosk test page", timeout=60)
            except PeripheralError as exc:
                return self._failing(level, f"{self.name}: the test page failed ({exc}).", details)
            details["test_job"] = job.job_id
            sentence = f"{self.name}: test page printed (job {job.job_id})."
        return self._health(level, True, sentence, details)


_OPTIONS = {"poll_interval", "job_timeout", "user", "timeout", "paper", "cafile"}


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> DocumentPrinter:
    """Registry factory ("cups"). `port` is the queue URI (ipp://127.0.0.1:631/printers/kiosk-pdf).
    Options: poll_interval (s, 0.5), job_timeout (s, 120), user (requesting-user-name, "kiosk"),
    timeout (s per IPP call, 10), paper (the media the queue holds, e.g. "A4": recorded in the
    health details), cafile (ipps:// / https://: the CA or self-signed certificate to trust; default
    the system's). A bare queue name means ipp://127.0.0.1:631/printers/NAME. Unknown options raise
    ValueError (→ ConfigurationError)."""
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))}")
    if "://" not in port:
        port = f"ipp://127.0.0.1:631/printers/{port}"
    cafile = options.get("cafile")
    client = IppClient(
        port,
        user=str(options.get("user", "kiosk")),
        timeout=float(options.get("timeout", 10)),
        cafile=str(cafile) if cafile else None,
    )
    return DocumentPrinter(
        name,
        port,
        bus=bus,
        stats=stats,
        client=client,
        poll_interval=float(options.get("poll_interval", 0.5)),
        job_timeout=float(options.get("job_timeout", 120)),
    )
