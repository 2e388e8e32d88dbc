"""The readiness report: the diagnose checks gathered (from emulators and live devices), read back
from the PDF with pdftotext, and as an ESC/POS slip."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.diagnostics import TouchGrid
from kiosk.diagnostics.readiness import Check, ReadinessReport, speech_check, touch_check
from kiosk.ui.speech import Speaker
from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.magstripe_reader import CardReaderEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.escpos.profiles import get_profile
from peripherals.escpos.render import render_receipt
from peripherals.registry import create_device

WHEN = datetime(2026, 11, 30, 16, 5, tzinfo=UTC)


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: cannot read the PDF back")
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def verdict_of(text: str, name: str) -> str:
    """The verdict printed on the same line as a check's name in the PDF's text."""
    match = re.search(rf"^\s*{re.escape(name)}\s+(OK|FAULT|NOT CHECKED)\b", text, re.M)
    assert match, f"no line for {name!r} in:\n{text}"
    return match.group(1)


def sample() -> ReadinessReport:
    return ReadinessReport.from_checks(
        [
            Check("receipt-printer", "device (escpos)", "ok", "receipt-printer is online."),
            Check("card-reader", "device (magstripe)", "fault", "card-reader: no device."),
            Check("central", "link", "ok", "Central answers in 12.5 ms.", {"latency_ms": 12.5}),
            Check("outbox", "outbox", "ok", "3 waiting.", {"waiting": 3, "refused": 0}),
        ],
        kiosk_id="cdf-01",
        office="Cardiff Jobcentre",
        statistics={"receipt-printer": {"lines": 1200, "cuts": 40}, "card-reader": {}},
        created_at=WHEN,
    )


def test_report_summarises_checks():
    report = sample()
    assert not report.healthy
    assert report.verdict == "NOT READY: 1 fault"
    assert [c.name for c in report.faults] == ["card-reader"]
    assert [c.name for c in report.devices] == ["receipt-printer", "card-reader"]
    assert report.outbox_depth == 3 and report.central_latency_ms == 12.5
    assert (
        report.text_lines()[0]
        == "cdf-01 · 2026-11-30 16:05 UTC · level internal · NOT READY: 1 fault"
    )
    assert "FAULT       card-reader: card-reader: no device." in report.text_lines()
    assert report.to_dict()["statistics"]["receipt-printer"]["lines"] == 1200


def test_interactive_results_are_added_or_replace_a_line():
    grid = TouchGrid(2, 2, (100, 100))
    grid.hit(10, 10)
    report = sample().with_checks(touch_check(grid))
    assert report.check("touchscreen").status == "fault"
    assert "3 of 4 areas did not respond" in report.check("touchscreen").sentence
    for x, y in ((10, 90), (90, 90), (90, 10)):
        grid.hit(x, y)
    again = report.with_checks(touch_check(grid))
    assert [c.name for c in again.checks].count("touchscreen") == 1
    assert again.check("touchscreen").status == "ok"
    fixed = again.with_checks(Check("card-reader", "device (magstripe)", "ok", "online"))
    assert fixed.healthy and fixed.verdict == "READY"


def test_pdf_shows_every_check_with_its_verdict(tmp_path: Path):
    path = sample().write_pdf(tmp_path / "report.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(path)
    assert verdict_of(text, "receipt-printer") == "OK"
    assert verdict_of(text, "card-reader") == "FAULT"
    assert verdict_of(text, "central") == "OK"
    assert "NOT READY: 1 fault" in text
    assert "Kiosk cdf-01 · Cardiff Jobcentre" in text
    assert "Central round trip: 12.5 ms" in text
    assert "Outbox: 3 waiting to be sent, 0 refused by central" in text
    assert re.search(r"^\s*receipt-printer\s+1,200\s+40\s", text, re.M)  # statistics row


def test_pdf_is_deterministic_and_says_ready_when_healthy(tmp_path: Path):
    report = sample().with_checks(Check("card-reader", "device (magstripe)", "ok", "online"))
    assert report.to_pdf() == report.to_pdf()
    text = pdf_text(report.write_pdf(tmp_path / "ok.pdf"))
    assert "READY: every check passed" in text and "NOT READY" not in text


def test_long_reports_continue_on_more_pages(tmp_path: Path):
    checks = [Check(f"device-{i:02d}", "device (escpos)", "ok", "fine " * 30) for i in range(40)]
    report = ReadinessReport.from_checks(checks, kiosk_id="k", created_at=WHEN)
    text = pdf_text(report.write_pdf(tmp_path / "long.pdf"))
    assert all(verdict_of(text, f"device-{i:02d}") == "OK" for i in range(40))
    pages = re.findall(r"contains no personal data · page (\d+)", text)
    assert len(pages) >= 2 and pages == [str(n) for n in range(1, len(pages) + 1)]


def test_receipt_slip_lists_checks_within_the_paper_width():
    receipt = sample().to_receipt(width_chars=42)
    texts = [item.text for item in receipt.items if hasattr(item, "text")]
    assert "NOT READY: 1 fault" in texts
    assert "card-reader" + " " * (42 - len("card-reader") - 5) + "FAULT" in texts
    assert all(len(t) <= 42 for t in texts if t != "Kiosk readiness")
    data = render_receipt(receipt, get_profile())
    assert b"NOT READY: 1 fault" in data and b"Central: 12.5 ms" in data
    assert data.startswith(b"\x1b@")


# ------------------------------------------------------------------ gathered from a config


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[dict]:
    printer = PtyHost(ReceiptPrinterEmulator(), link=tmp_path / "dev" / "printer")
    reader = PtyHost(CardReaderEmulator(), link=tmp_path / "dev" / "reader")
    for host in (printer, reader):
        host.start()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""kiosk_id = "test-kiosk"
central_url = "http://127.0.0.1:9"
data_dir = "{tmp_path / "data"}"
[office]
id = "o1"
name = "Test office"
[[peripherals]]
name = "receipt-printer"
driver = "escpos"
port = "{printer.url}"
[[peripherals]]
name = "card-reader"
driver = "magstripe"
port = "{reader.url}"
[[peripherals]]
name = "scanner"
driver = "scanner"
port = "emulator:scanner"
""",
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "device-token").write_text("t0ken", encoding="utf-8")
    try:
        yield {"config": load_kiosk_config(config, env={}), "printer": printer, "tmp": tmp_path}
    finally:
        for host in (printer, reader):
            host.stop()


def test_gathered_report_checks_devices_disk_central_and_outbox(kiosk, tmp_path: Path):
    kiosk["printer"].device.set_fault("paper_out")
    report = ReadinessReport.gather(kiosk["config"], central_timeout_s=1.0)
    assert [c.name for c in report.checks] == [
        "receipt-printer",
        "card-reader",
        "scanner",
        "disk",
        "central",
        "office",
        "outbox",
    ]
    text = pdf_text(report.write_pdf(tmp_path / "gathered.pdf"))
    assert verdict_of(text, "receipt-printer") == "FAULT"  # paper out
    assert verdict_of(text, "card-reader") == "OK"
    assert verdict_of(text, "scanner") == "FAULT"  # placeholder port
    assert verdict_of(text, "disk") == "OK"
    assert verdict_of(text, "central") == "FAULT"  # nothing listens on port 9
    assert verdict_of(text, "office") == "NOT CHECKED"  # so the office cannot be compared
    assert verdict_of(text, "outbox") == "OK"
    assert report.central_latency_ms is None and report.outbox_depth == 0
    assert set(report.statistics) == {"receipt-printer", "card-reader", "scanner"}


def test_live_devices_are_asked_directly_and_their_statistics_used(kiosk):
    config = kiosk["config"]
    p = config.peripheral("receipt-printer")
    device = create_device(p.driver, p.name, p.port, p.options, None, None)
    device.open()
    try:
        device.statistics.increment("lines", 7)
        report = ReadinessReport.gather(
            config, devices={"receipt-printer": device, "card-reader": None}, central_timeout_s=1.0
        )
        device.print_receipt(report.to_receipt(device.profile.width_chars), timeout=10)
    finally:
        device.close()
    (slip,) = kiosk["printer"].device.receipts
    printed = slip.text()
    assert "NOT READY: 3 faults" in printed  # card reader, scanner placeholder, central
    assert re.search(r"^card-reader +FAULT$", printed, re.M)
    assert re.search(r"^receipt-printer +OK$", printed, re.M)
    assert report.check("receipt-printer").status == "ok"
    assert report.statistics["receipt-printer"]["lines"] == 7
    reader = report.check("card-reader")
    assert reader.status == "fault" and "could not start" in reader.sentence
    assert "card-reader" not in report.statistics


def test_speech_check_reports_working_voices_or_the_reason():
    missing = speech_check(Speaker(executable="no-such-espeak-binary"))
    assert (
        missing.status == "fault" and "no-such-espeak-binary is not installed" in missing.sentence
    )
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (Debian package espeak-ng): cannot test real speech")
    ok = speech_check(Speaker())
    assert ok.status == "ok", ok.sentence
    assert ok.sentence == "Speech output works in en (en-gb), cy (cy)."
    broken = speech_check(Speaker(voices={"en": "en-gb", "cy": "xx-nonexistent"}))
    assert broken.status == "fault" and broken.details["failed"] == ["cy"]
