"""The document printer against RFC 8011 / RFC 8010 / RFC 7472, with bytes and keywords written out
from the RFCs (issue 15, item 20).

* RFC 8011 §5.4.12 printer-state-reasons: "-report", "-warning", "-error" suffixes; a value with no
  suffix must be assumed to be an error.
* RFC 8010 §3.1: a response is version 02 00, status-code, request-id, then attribute groups
  (tag, 2-byte name length, name, 2-byte value length, value) and end-of-attributes-tag 03.
* RFC 7472: ipps:// is IPP over HTTPS (TLS), default port 631.
* CUPS: a stopped queue (cupsdisable) reports printer-state 5 with "paused"; its jobs stay pending.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from peripherals.conditions import Condition
from peripherals.cups.driver import DocumentPrinter, create
from peripherals.cups.driver import test_page as make_test_page
from peripherals.cups.reasons import faults_from_reasons
from peripherals.emulators.ipp_printer import CANCELED, DocumentPrinterEmulator, IppHost
from peripherals.errors import DeviceFault, DeviceUnavailable
from peripherals.stats import DeviceStats


def codes(reasons: list[str]) -> list[tuple[str, bool]]:
    return [(f.code, f.blocking) for f in faults_from_reasons(reasons)]


def test_a_keyword_without_suffix_is_an_error() -> None:
    # registered keywords (RFC 8011 / PWG 5100.9) we have no sentence for, sent without a suffix
    assert codes(["fuser-over-temp"]) == [("fuser_over_temp", True)]
    assert codes(["marker-waste-almost-full"]) == [("marker_waste_almost_full", True)]
    assert codes(["fuser-over-temp-warning"]) == [("fuser_over_temp", False)]
    assert codes(["fuser-over-temp-report"]) == []
    assert codes(["none"]) == []


def test_sub_states_that_are_not_faults() -> None:
    assert codes(["moving-to-paused"]) == []
    assert codes(["cups-waiting-for-job-completed", "printer-restarted"]) == []
    assert codes(["moving-to-paused", "media-low-report"]) == []


# RFC 8010 §3.1.1 encoding of a Get-Printer-Attributes response: a stopped, paused queue
PAUSED_QUEUE_RESPONSE = bytes.fromhex(
    "0200 0000 00000001"  # version 2.0, successful-ok, request-id 1
    "01"  # operation-attributes-tag
    "47 0012" + b"attributes-charset".hex() + "0005" + b"utf-8".hex()
    + "48 001b" + b"attributes-natural-language".hex() + "0002" + b"en".hex()
    + "04"  # printer-attributes-tag
    "23 000d" + b"printer-state".hex() + "0004 00000005"  # enum 5: stopped
    + "44 0015" + b"printer-state-reasons".hex() + "0006" + b"paused".hex()
    + "22 0019" + b"printer-is-accepting-jobs".hex() + "0001 01"
    + "03"  # end-of-attributes-tag
)  # fmt: skip


def test_a_literal_paused_queue_response_is_a_stopped_queue(tmp_path: Path) -> None:
    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/ipp")
            self.send_header("Content-Length", str(len(PAUSED_QUEUE_RESPONSE)))
            self.end_headers()
            self.wfile.write(PAUSED_QUEUE_RESPONSE)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        uri = f"ipp://127.0.0.1:{server.server_address[1]}/printers/q"
        printer = DocumentPrinter("document-printer", uri)
        info = printer.refresh()
        assert info is not None and info.state == 5 and info.reasons == ("paused",)
        assert [f.code for f in printer.faults] == ["queue_paused"]
        assert printer.condition is Condition.OFFLINE
    finally:
        server.shutdown()
        server.server_close()


def _driver(url: str, tmp_path: Path, **extra: object) -> DocumentPrinter:
    options = {"poll_interval": 0.05, "job_timeout": 10, "timeout": 2, **extra}
    return create(
        name="document-printer",
        port=url,
        options=options,
        stats=DeviceStats("document-printer", tmp_path / "stats"),
        bus=None,
    )


def test_a_job_pending_on_a_stopped_queue_is_reported_at_once(tmp_path: Path) -> None:
    emulator = DocumentPrinterEmulator()
    emulator.output_dir = tmp_path / "out"
    with IppHost(emulator) as host:
        printer = _driver(host.url, tmp_path)
        printer.open()
        assert printer.condition is Condition.ONLINE
        # the queue stops between the driver's last look and the job (submit() itself refuses a
        # queue it knows is stopped): the job is accepted and stays pending
        host.set_fault("queue_paused")
        job_id = printer.client.print_pdf(make_test_page("Stopped queue"))
        assert printer.client.job(job_id).state == 3
        start = time.monotonic()
        with pytest.raises(DeviceFault, match="not printed") as err:
            printer.follow(job_id)
        assert time.monotonic() - start < 1.0  # not the 10 s job timeout
        assert [f.code for f in err.value.faults] == ["queue_paused"]
        assert emulator.jobs[job_id].state == CANCELED  # it will never print unseen
        host.set_fault("queue_paused", False)
        assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def test_ipps_uri_prints_over_tls(tmp_path: Path, certificate: tuple[Path, Path]) -> None:
    key, cert = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    emulator = DocumentPrinterEmulator()
    emulator.output_dir = tmp_path / "out"
    with IppHost(emulator, ssl_context=context) as host:
        assert host.url.startswith("ipps://")
        printer = _driver(host.url, tmp_path, cafile=str(cert))
        printer.open()
        assert printer.condition is Condition.ONLINE
        assert printer.print_pdf(make_test_page("Over TLS")).state == 9
        untrusted = _driver(host.url, tmp_path)  # the system's trust store: self-signed refused
        with pytest.raises(DeviceUnavailable):
            untrusted.client.printer()
    https = _driver(host.url.replace("ipps://", "https://"), tmp_path, cafile=str(cert))
    assert https.client.tls and https.client.port == host.port
