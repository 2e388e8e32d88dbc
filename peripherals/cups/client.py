"""The IPP operations the document printer needs, over HTTP to CUPS (stdlib http.client).

Why our own client: pycups needs libcups headers to build, and the four operations we use fit in a
page. Every network or protocol problem is translated here into peripherals.errors.

URIs: ``ipp://`` and ``http://`` (plain, default port 631), ``ipps://`` (IPP over TLS, RFC 7472,
default port 631) and ``https://`` (default 443). TLS verifies the server's certificate against the
system's trust store, or against `cafile` (a CUPS server's own self-signed certificate); a failed
handshake is DeviceUnavailable like any other connection failure.
"""

from __future__ import annotations

import http.client
import itertools
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from peripherals.conditions import Condition
from peripherals.cups.ipp import IppError, Message, Tag, decode, encode, operation_attributes
from peripherals.errors import ConfigurationError, DeviceUnavailable, ProtocolError

__all__ = ["IppClient", "JobInfo", "PrinterInfo"]

PRINT_JOB, CANCEL_JOB, GET_JOB_ATTRIBUTES, GET_PRINTER_ATTRIBUTES = 0x0002, 0x0008, 0x0009, 0x000B
NOT_FOUND = 0x0406
PLAIN_SCHEMES, TLS_SCHEMES = frozenset({"ipp", "http"}), frozenset({"ipps", "https"})

JOB_STATES = {
    3: "pending",
    4: "held",
    5: "processing",
    6: "stopped",
    7: "canceled",
    8: "aborted",
    9: "completed",
}
PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}


@dataclass(frozen=True)
class JobInfo:
    job_id: int
    state: int
    reasons: tuple[str, ...] = ()
    message: str = ""

    @property
    def state_name(self) -> str:
        return JOB_STATES.get(self.state, str(self.state))

    @property
    def finished(self) -> bool:
        return self.state >= 7


@dataclass(frozen=True)
class PrinterInfo:
    state: int
    reasons: tuple[str, ...]
    accepting: bool
    message: str = ""
    make_and_model: str = ""

    @property
    def state_name(self) -> str:
        return PRINTER_STATES.get(self.state, str(self.state))


class IppClient:
    """One printer queue, addressed by its URI (ipp://host:port/printers/NAME or http://…)."""

    def __init__(
        self,
        printer_uri: str,
        *,
        user: str = "kiosk",
        timeout: float = 10.0,
        cafile: str | None = None,
    ) -> None:
        parts = urlsplit(printer_uri)
        if parts.scheme not in TLS_SCHEMES | PLAIN_SCHEMES or not parts.hostname or not parts.path:
            raise ConfigurationError(
                f"printer URI {printer_uri!r} must look like ipp://host:631/printers/QUEUE "
                "(or ipps://, http://, https://)"
            )
        self.uri = printer_uri
        self.host = parts.hostname
        self.tls = parts.scheme in TLS_SCHEMES
        self.port = parts.port or (443 if parts.scheme == "https" else 631)
        self.path = parts.path
        self.user = user
        self.timeout = timeout
        self._context: ssl.SSLContext | None = None
        if self.tls:
            try:
                self._context = ssl.create_default_context(cafile=cafile)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigurationError(f"cannot read the CA file {cafile!r}: {exc}") from exc
        self._ids = itertools.count(1)

    def _connection(self) -> http.client.HTTPConnection:
        if self._context is not None:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self._context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _call(self, request: Message) -> Message:
        body = encode(request)
        conn = self._connection()
        try:
            conn.request("POST", self.path, body, {"Content-Type": "application/ipp"})
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:  # timeouts are OSError
            raise DeviceUnavailable(
                f"CUPS at {self.host}:{self.port} cannot be reached ({exc})", Condition.NO_DEVICE
            ) from exc
        finally:
            conn.close()
        if response.status != 200:
            raise ProtocolError(f"CUPS answered HTTP {response.status} for {self.path}")
        try:
            answer = decode(payload)
        except IppError as exc:
            raise ProtocolError(f"CUPS sent a malformed IPP answer: {exc}") from exc
        if answer.code == NOT_FOUND:
            raise DeviceUnavailable(f"print queue {self.path} does not exist", Condition.NO_DEVICE)
        if answer.code >= 0x0400:
            detail = answer.first("status-message", "")
            raise ProtocolError(f"IPP error 0x{answer.code:04x} {detail}".strip())
        return answer

    def _request(self, op: int, extra: tuple[tuple[int, str, object], ...] = ()) -> Message:
        msg = Message(op, next(self._ids))
        msg.attributes.extend(operation_attributes(self.uri, self.user, extra))
        return msg

    def print_pdf(self, pdf: bytes, title: str = "kiosk document") -> int:
        """Print-Job with a PDF; returns the job id."""
        msg = self._request(
            PRINT_JOB,
            ((Tag.NAME, "job-name", title), (Tag.MIME, "document-format", "application/pdf")),
        )
        msg.data = pdf
        job_id = self._call(msg).first("job-id")
        if not isinstance(job_id, int):
            raise ProtocolError("CUPS accepted the job but sent no job-id")
        return job_id

    def job(self, job_id: int) -> JobInfo:
        msg = self._request(GET_JOB_ATTRIBUTES, ((Tag.INTEGER, "job-id", job_id),))
        msg.add(
            Tag.OPERATION,
            Tag.KEYWORD,
            "requested-attributes",
            "job-state",
            "job-state-reasons",
            "job-printer-state-message",
        )
        answer = self._call(msg)
        return JobInfo(
            job_id,
            int(answer.first("job-state", 0)),
            tuple(str(r) for r in answer.get("job-state-reasons")),
            str(answer.first("job-printer-state-message", "") or ""),
        )

    def printer(self) -> PrinterInfo:
        msg = self._request(GET_PRINTER_ATTRIBUTES)
        msg.add(
            Tag.OPERATION,
            Tag.KEYWORD,
            "requested-attributes",
            "printer-state",
            "printer-state-reasons",
            "printer-is-accepting-jobs",
            "printer-state-message",
            "printer-make-and-model",
        )
        answer = self._call(msg)
        return PrinterInfo(
            int(answer.first("printer-state", 0)),
            tuple(str(r) for r in answer.get("printer-state-reasons")),
            bool(answer.first("printer-is-accepting-jobs", False)),
            str(answer.first("printer-state-message", "") or ""),
            str(answer.first("printer-make-and-model", "") or ""),
        )

    def cancel(self, job_id: int) -> None:
        self._call(self._request(CANCEL_JOB, ((Tag.INTEGER, "job-id", job_id),)))
