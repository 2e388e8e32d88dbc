"""The document printer against a real CUPS daemon with a cups-pdf queue, started by these tests.

The daemon runs from a private directory (its own cupsd.conf, cups-files.conf, spool, logs) on a free
port on 127.0.0.1, so the machine's own CUPS is never touched. cups-pdf reads its settings only from
/etc/cups/cups-pdf-<name>.conf (compiled-in path), so one such file, named after this test process,
is written there for the run and removed afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from peripherals.conditions import Condition
from peripherals.cups.client import IppClient
from peripherals.cups.driver import DocumentPrinter
from peripherals.cups.driver import test_page as make_test_page
from peripherals.cups.ipp import Message, Tag, operation_attributes
from peripherals.events import EventBus, JobCompleted
from peripherals.model import DeviceState

pytestmark = pytest.mark.cups

QUEUE = "kiosk-pdf"


@dataclass
class Cups:
    root: Path
    port: int
    out: Path

    @property
    def uri(self) -> str:
        return f"ipp://127.0.0.1:{self.port}/printers/{QUEUE}"

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [args[0], "-h", f"127.0.0.1:{self.port}", *args[1:]],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def log_tail(self) -> str:
        log = self.root / "log" / "error_log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else "(no error_log)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ppd() -> str | None:
    found = sorted(glob.glob("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")) or sorted(
        glob.glob("/usr/share/ppd/**/CUPS-PDF*.ppd", recursive=True)
    )
    return found[0] if found else None


@pytest.fixture(scope="module")
def cups() -> Iterator[Cups]:
    missing = [t for t in ("cupsd", "lpadmin", "cupsdisable") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"CUPS tools missing: {', '.join(missing)} (Debian package cups)")
    if not os.path.exists("/usr/lib/cups/backend/cups-pdf"):
        pytest.skip("cups-pdf backend missing (Debian package printer-driver-cups-pdf)")
    ppd = _ppd()
    if ppd is None:
        pytest.skip("no CUPS-PDF PPD found under /usr/share/ppd (printer-driver-cups-pdf)")
    if os.geteuid() != 0:
        pytest.skip("cupsd must run as root to run the cups-pdf backend; these tests are not root")
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-", dir="/tmp"))
    os.chmod(root, 0o755)  # filters run as lp and must reach the spool
    for sub in ("spool", "spool/tmp", "cache", "state", "log", "out", "cpdf"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root / sub, 0o755)
    os.chmod(root / "out", 0o1777)  # cups-pdf runs gs as the anonymous user (nobody)
    port = _free_port()
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\n"
        f"CacheDir {root}/cache\nStateDir {root}/state\nAccessLog {root}/log/access_log\n"
        f"ErrorLog {root}/log/error_log\nPageLog {root}/log/page_log\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\nUser lp\nGroup lp\nSystemGroup root\n"
    )
    (root / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nLogLevel info\nBrowsing No\nDefaultAuthType None\n"
        "WebInterface No\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow all\n  </Limit>\n</Policy>\n"
    )
    name = f"kiosktest{os.getpid()}"
    pdf_conf = Path(f"/etc/cups/cups-pdf-{name}.conf")
    try:
        pdf_conf.write_text(
            f"Out {root}/out\nAnonDirName {root}/out\nSpool {root}/cpdf\nLog {root}/log\nGrp root\n"
        )
    except OSError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot write {pdf_conf} for cups-pdf's output settings: {exc}")
    proc = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    env = Cups(root, port, root / "out")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.skip(f"cupsd exited ({proc.returncode}): {env.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        else:
            pytest.skip(f"cupsd did not listen on 127.0.0.1:{port} within 15 s: {env.log_tail()}")
        added = env.admin(
            "lpadmin",
            "-p",
            QUEUE,
            "-E",
            "-v",
            f"cups-pdf:/{name}",
            "-P",
            ppd,
            "-o",
            "printer-error-policy=retry-job",
        )
        if added.returncode != 0:
            pytest.skip(f"lpadmin could not add the cups-pdf queue: {added.stderr.strip()}")
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        with contextlib.suppress(FileNotFoundError):
            pdf_conf.unlink()
        shutil.rmtree(root, ignore_errors=True)


def test_a_pdf_job_reaches_completed_and_cups_pdf_writes_it(cups: Cups) -> None:
    from pypdf import PdfReader

    bus = EventBus(threaded=False)
    events: list[object] = []
    bus.subscribe(events.append)
    printer = DocumentPrinter("document-printer", cups.uri, bus=bus, poll_interval=0.2)
    printer.open()
    assert printer.state is DeviceState.IDLE and printer.condition is Condition.ONLINE
    before = set(cups.out.iterdir())
    job = printer.print_pdf(make_test_page("Kiosk proof of benefit 4711"), "proof", timeout=60)
    assert job.state == 9 and job.state_name == "completed"
    bus.drain(0.5)
    done = [e for e in events if isinstance(e, JobCompleted)]
    assert done and done[-1].ok and done[-1].job_id == str(job.job_id)
    assert printer.statistics.get("documents") == 1
    deadline = time.monotonic() + 10
    new: set[Path] = set()
    while time.monotonic() < deadline and not new:
        new = {p for p in cups.out.iterdir() if p.suffix == ".pdf"} - before
        time.sleep(0.1)
    assert len(new) == 1, f"cups-pdf wrote nothing: {cups.log_tail()}"
    text = PdfReader(str(new.pop())).pages[0].extract_text()
    assert "Kiosk proof of benefit 4711" in text


def test_queue_has_retry_job_error_policy(cups: Cups) -> None:
    client = IppClient(cups.uri)
    msg = Message(0x000B, 1)
    msg.attributes.extend(operation_attributes(cups.uri, "kiosk"))
    msg.add(Tag.OPERATION, Tag.KEYWORD, "requested-attributes", "printer-error-policy")
    assert client._call(msg).first("printer-error-policy") == "retry-job"


def test_paused_queue_is_a_fault_and_health_recovers(cups: Cups) -> None:
    printer = DocumentPrinter("document-printer", cups.uri, poll_interval=0.2)
    printer.open()
    assert printer.check_health("internal").ok
    assert cups.admin("cupsdisable", QUEUE).returncode == 0
    try:
        result = printer.check_health("internal")
        assert not result.ok
        assert "queue_paused" in [f.code for f in result.faults]
        assert "paused" in result.sentence
        assert printer.state is DeviceState.ERROR
    finally:
        assert cups.admin("cupsenable", QUEUE).returncode == 0
    assert printer.check_health("internal").ok
    assert printer.state is DeviceState.IDLE


def test_external_health_prints_a_test_page(cups: Cups) -> None:
    printer = DocumentPrinter("document-printer", cups.uri, poll_interval=0.2)
    printer.open()
    result = printer.check_health("external")
    assert result.ok, result.sentence
    assert "test page printed" in result.sentence and result.details["test_job"] > 0


def test_missing_queue_and_unreachable_cups_are_no_device(cups: Cups) -> None:
    gone = DocumentPrinter("p", f"ipp://127.0.0.1:{cups.port}/printers/nope")
    gone.open()
    assert gone.condition is Condition.NO_DEVICE and gone.state is DeviceState.ERROR
    dead = DocumentPrinter("p", f"ipp://127.0.0.1:{_free_port()}/printers/{QUEUE}")
    result = (dead.open(), dead.check_health("internal"))[1]
    assert not result.ok and "cannot be reached" in result.sentence


def test_a_canceled_job_is_reported_not_ok(cups: Cups) -> None:
    bus = EventBus(threaded=False)
    events: list[object] = []
    bus.subscribe(events.append)
    printer = DocumentPrinter("document-printer", cups.uri, bus=bus, poll_interval=0.1)
    printer.open()
    assert cups.admin("cupsdisable", QUEUE).returncode == 0  # the job waits in the queue
    try:
        job_id = printer.client.print_pdf(make_test_page(), "to cancel")
        assert printer.client.job(job_id).state in (3, 4)
        printer.client.cancel(job_id)
        job = printer.follow(job_id, timeout=20)
    finally:
        assert cups.admin("cupsenable", QUEUE).returncode == 0
    assert job.state_name == "canceled"
    bus.drain(0.3)
    done = [e for e in events if isinstance(e, JobCompleted)]
    assert done and not done[-1].ok and "canceled" in done[-1].detail
    assert printer.statistics.get("failed_jobs") == 1
