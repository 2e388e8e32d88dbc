"""A document printer emulator that speaks IPP over HTTP, the way a CUPS queue does.

Why: the document printer driver (:mod:`peripherals.cups`) talks IPP to CUPS. The tests use a real
CUPS daemon with cups-pdf; ``kiosk run --simulate`` and ``make demo`` have no CUPS to rely on, so
this emulator answers the same four operations with the same bytes (Print-Job, Get-Job-Attributes,
Get-Printer-Attributes, Cancel-Job) and writes each printed PDF to ``output_dir``. The driver cannot
tell it from a CUPS queue: it is given an ``ipp://127.0.0.1:PORT/printers/kiosk-documents`` URI.

Faults (``set_fault``), as CUPS reports them:
  paper_out  — ``media-empty-error``: jobs wait (processing, ``printer-stopped``) until paper is back
  paper_low  — ``media-low-warning`` (a warning: printing goes on)
  paper_jam  — ``media-jam-error``; cover_open — ``door-open-error`` (jobs wait, as for paper_out)
  offline    — printer ``stopped`` with ``offline-report`` (jobs wait)
  queue_paused — the queue is stopped (``printer-state`` 5, ``paused``): jobs stay pending
  (state 3) until it is resumed, as in CUPS after ``cupsdisable`` or a stop-printer error policy
IppHost(ssl_context=…) serves IPP over TLS: its URL is then ``ipps://…``.
  garbled    — answers are replaced by random bytes (the driver reports a protocol error)
  slow       — every answer is delayed by 1 s
  unplug     — the host stops listening (connection refused), see :class:`IppHost`
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from peripherals.cups.ipp import Attribute, IppError, Message, Tag, decode, encode
from peripherals.emulators.pty_host import EmulatedDevice

__all__ = ["DocumentPrinterEmulator", "IppHost"]

log = logging.getLogger(__name__)

PRINT_JOB, CANCEL_JOB, GET_JOB_ATTRIBUTES, GET_PRINTER_ATTRIBUTES = 0x0002, 0x0008, 0x0009, 0x000B
OK, BAD_REQUEST, NOT_FOUND, UNSUPPORTED_FORMAT = 0x0000, 0x0400, 0x0406, 0x040A
OPERATION_NOT_SUPPORTED = 0x0501
PENDING, PROCESSING, CANCELED, COMPLETED = 3, 5, 7, 9
IDLE, STOPPED = 3, 5
QUEUE = "kiosk-documents"
MAKE_AND_MODEL = "Omnikiosk IPP document printer emulator"
MAX_DOCUMENT = 50 * 1024 * 1024

#: fault → printer-state-reasons keyword; the ones that stop printing are marked
REASONS: dict[str, tuple[str, bool]] = {
    "paper_out": ("media-empty-error", True),
    "paper_low": ("media-low-warning", False),
    "paper_jam": ("media-jam-error", True),
    "cover_open": ("door-open-error", True),
    "offline": ("offline-report", True),
    "queue_paused": ("paused", True),
}


@dataclass
class Job:
    job_id: int
    title: str
    document: bytes
    state: int = PENDING


class DocumentPrinterEmulator(EmulatedDevice):
    """The queue's state machine; :class:`IppHost` feeds it requests."""

    device_faults: ClassVar[frozenset[str]] = frozenset(
        {"paper_out", "paper_low", "paper_jam", "cover_open", "queue_paused"}
    )
    serve_over = "ipp"

    def __init__(self) -> None:
        super().__init__()
        self.output_dir: Path | None = None
        self.jobs: dict[int, Job] = {}
        self.printed: list[Path] = []
        self.rng = random.Random()
        self._next_id = 1
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- state
    def _stopping(self) -> list[str]:
        return [REASONS[f][0] for f in sorted(self.faults) if f in REASONS and REASONS[f][1]]

    def reasons(self) -> list[str]:
        found = [REASONS[f][0] for f in sorted(self.faults) if f in REASONS]
        return found or ["none"]

    def on_fault_changed(self, name: str, on: bool) -> None:
        with self._lock:
            self._run_jobs()

    def on_bytes(self, data: bytes) -> None:  # pragma: no cover - IPP, not a serial line
        raise NotImplementedError("the document printer emulator is served over IPP")

    def _run_jobs(self) -> None:
        """Print every waiting job unless something stops the printer (called under the lock)."""
        if self._stopping():
            return
        for job in self.jobs.values():
            if job.state in (PENDING, PROCESSING):
                self._print(job)

    def _print(self, job: Job) -> None:
        job.state = COMPLETED
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            path = self.output_dir / f"document-{job.job_id:04d}.pdf"
            path.write_bytes(job.document)
            self.printed.append(path)
        self.show(f"[document printer] printed job {job.job_id} {job.title!r}")

    # ---------------------------------------------------------------- IPP
    def handle(self, body: bytes) -> bytes:
        """One IPP request's bytes → the response's bytes."""
        try:
            request = decode(body)
        except IppError as exc:
            return encode(self._status(Message(BAD_REQUEST, 0), f"malformed request: {exc}"))
        answer = Message(OK, request.request_id)
        with self._lock:
            if request.code == PRINT_JOB:
                self._print_job(request, answer)
            elif request.code == GET_JOB_ATTRIBUTES:
                self._job_attributes(request, answer)
            elif request.code == GET_PRINTER_ATTRIBUTES:
                self._printer_attributes(answer)
            elif request.code == CANCEL_JOB:
                self._cancel(request, answer)
            else:
                answer.code = OPERATION_NOT_SUPPORTED
        self._status(answer, "successful-ok" if answer.code == OK else "refused")
        return encode(answer)

    @staticmethod
    def _status(answer: Message, message: str) -> Message:
        answer.attributes.insert(0, _operation_group()[0])
        answer.attributes.insert(1, _operation_group()[1])
        answer.add(Tag.OPERATION, Tag.TEXT, "status-message", message)
        return answer

    def _print_job(self, request: Message, answer: Message) -> None:
        fmt = request.first("document-format", "application/octet-stream")
        if fmt not in (
            "application/pdf",
            "application/octet-stream",
        ) or not request.data.startswith(b"%PDF"):
            answer.code = UNSUPPORTED_FORMAT
            return
        if len(request.data) > MAX_DOCUMENT:
            answer.code = BAD_REQUEST
            return
        job = Job(self._next_id, str(request.first("job-name", "document")), request.data)
        self._next_id += 1
        self.jobs[job.job_id] = job
        if "queue_paused" in self.faults:
            job.state = PENDING  # a stopped queue does not even start it
        elif self._stopping():
            job.state = PROCESSING
        else:
            self._print(job)
        answer.add(Tag.JOB, Tag.INTEGER, "job-id", job.job_id)
        answer.add(Tag.JOB, Tag.ENUM, "job-state", job.state)

    def _job(self, request: Message, answer: Message) -> Job | None:
        job = self.jobs.get(int(request.first("job-id", 0) or 0))
        if job is None:
            answer.code = NOT_FOUND
        return job

    def _job_attributes(self, request: Message, answer: Message) -> None:
        job = self._job(request, answer)
        if job is None:
            return
        waiting = job.state in (PENDING, PROCESSING)
        answer.add(Tag.JOB, Tag.INTEGER, "job-id", job.job_id)
        answer.add(Tag.JOB, Tag.ENUM, "job-state", job.state)
        answer.add(
            Tag.JOB,
            Tag.KEYWORD,
            "job-state-reasons",
            "printer-stopped" if waiting else _JOB_REASON.get(job.state, "none"),
        )
        answer.add(
            Tag.JOB,
            Tag.TEXT,
            "job-printer-state-message",
            ", ".join(self._stopping()) if waiting else "",
        )

    def _printer_attributes(self, answer: Message) -> None:
        stopped = bool(self._stopping())
        answer.add(Tag.PRINTER, Tag.ENUM, "printer-state", STOPPED if stopped else IDLE)
        answer.add(Tag.PRINTER, Tag.KEYWORD, "printer-state-reasons", *self.reasons())
        answer.add(Tag.PRINTER, Tag.BOOLEAN, "printer-is-accepting-jobs", True)
        answer.add(Tag.PRINTER, Tag.TEXT, "printer-state-message", ", ".join(self._stopping()))
        answer.add(Tag.PRINTER, Tag.TEXT, "printer-make-and-model", MAKE_AND_MODEL)

    def _cancel(self, request: Message, answer: Message) -> None:
        job = self._job(request, answer)
        if job is not None and job.state in (PENDING, PROCESSING):
            job.state = CANCELED


_JOB_REASON = {COMPLETED: "job-completed-successfully", CANCELED: "job-canceled-by-user"}


def _operation_group() -> tuple[Attribute, Attribute]:
    return (
        Attribute(Tag.OPERATION, Tag.CHARSET, "attributes-charset", ("utf-8",)),
        Attribute(Tag.OPERATION, Tag.LANGUAGE, "attributes-natural-language", ("en",)),
    )


class IppHost:
    """Serves a :class:`DocumentPrinterEmulator` on 127.0.0.1 (the same interface as ``PtyHost``:
    ``start``/``stop``/``url``/``set_fault``/``unplug``/``replug``/``device``)."""

    def __init__(
        self, device: DocumentPrinterEmulator, *, port: int = 0, ssl_context: Any = None
    ) -> None:
        self.device = device
        self.port = port
        self.ssl_context = ssl_context
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        device.host = None  # IPP answers are replies: nothing is ever pushed to the driver

    @property
    def url(self) -> str:
        scheme = "ipps" if self.ssl_context is not None else "ipp"
        return f"{scheme}://127.0.0.1:{self.port}/printers/{QUEUE}"

    @property
    def plugged(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        self.replug()
        return self.url

    def stop(self) -> None:
        self.unplug()

    def __enter__(self) -> IppHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def replug(self) -> None:
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self.device))
        server.daemon_threads = True
        if self.ssl_context is not None:
            server.socket = self.ssl_context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="ipp-host", daemon=True)
        self._thread.start()
        log.info("document printer emulator at %s", self.url)

    def set_fault(self, name: str, on: bool = True) -> None:
        if name == "unplug":
            if on:
                self.unplug()
                self.device.faults.add("unplug")
            else:
                self.device.faults.discard("unplug")
                self.replug()
            return
        self.device.set_fault(name, on)


def _handler_for(device: DocumentPrinterEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
            length = int(self.headers.get("Content-Length", "0") or 0)
            if self.path != f"/printers/{QUEUE}" or length > MAX_DOCUMENT + 65536:
                self._reply(404 if self.path != f"/printers/{QUEUE}" else 413, b"")
                return
            body = self.rfile.read(length)
            if self.headers.get("Content-Type") != "application/ipp":
                self._reply(400, b"")
                return
            answer = device.handle(body)
            if "slow" in device.faults:
                time.sleep(1.0)
            if "garbled" in device.faults:
                answer = bytes(device.rng.randrange(256) for _ in range(device.rng.randint(3, 12)))
            self._reply(200, answer)

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/ipp")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's
            log.debug("ipp %s", format % args)

    return Handler
