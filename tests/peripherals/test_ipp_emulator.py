"""The document printer emulator (IPP over loopback HTTP) driven by the real CUPS driver: printed
PDFs land in the output folder byte for byte, faults show as CUPS would report them, waiting jobs
print once the fault clears, and a pulled cable or garbled answers become the driver's errors."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

import pytest

from peripherals.conditions import Condition
from peripherals.cups.driver import DocumentPrinter, create
from peripherals.cups.driver import test_page as make_test_page
from peripherals.emulators.ipp_printer import DocumentPrinterEmulator, IppHost
from peripherals.emulators.registry import create_emulator, faults_for, host_for
from peripherals.errors import DeviceUnavailable, PeripheralError
from peripherals.stats import DeviceStats


@pytest.fixture
def host(tmp_path: Path):  # type: ignore[no-untyped-def]
    emulator = create_emulator("document-printer")
    assert isinstance(emulator, DocumentPrinterEmulator)
    emulator.output_dir = tmp_path / "out"
    served = host_for(emulator)
    assert isinstance(served, IppHost)
    with served:
        yield served


def driver(host: IppHost, tmp_path: Path) -> DocumentPrinter:
    printer = create(
        name="document-printer",
        port=host.url,
        options={"poll_interval": 0.05, "job_timeout": 10, "timeout": 2},
        stats=DeviceStats("document-printer", tmp_path / "stats"),
        bus=None,
    )
    printer.open()
    return printer


def test_a_printed_pdf_lands_in_the_output_folder(host: IppHost, tmp_path: Path) -> None:
    printer = driver(host, tmp_path)
    pdf = make_test_page("Emulator page")
    job = printer.print_pdf(pdf, "letter")
    assert job.state == 9
    printed = sorted((tmp_path / "out").glob("document-*.pdf"))
    assert len(printed) == 1 and printed[0].read_bytes() == pdf
    assert printer.condition == Condition.ONLINE
    assert printer.last_printer is not None and "emulator" in printer.last_printer.make_and_model


def test_paper_out_is_reported_and_the_waiting_job_prints_when_paper_is_back(
    host: IppHost, tmp_path: Path
) -> None:
    printer = driver(host, tmp_path)
    host.set_fault("paper_out")
    printer.refresh()
    assert printer.condition == Condition.USER_ERROR
    assert [f.code for f in printer.faults] == ["paper_out"]
    job_id = printer.client.print_pdf(make_test_page(), "waits")
    assert printer.client.job(job_id).state == 5  # processing, stopped for paper
    assert printer.client.job(job_id).reasons == ("printer-stopped",)
    result: list[object] = []
    follower = threading.Thread(target=lambda: result.append(printer.follow(job_id, 10)))
    follower.start()
    assert not list((tmp_path / "out").glob("*.pdf"))
    host.set_fault("paper_out", False)
    follower.join(10)
    assert result and result[0].state == 9  # type: ignore[attr-defined]
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1
    assert printer.condition == Condition.ONLINE


def test_a_cancelled_job_is_not_printed(host: IppHost, tmp_path: Path) -> None:
    printer = driver(host, tmp_path)
    host.set_fault("cover_open")
    job_id = printer.client.print_pdf(make_test_page(), "cancel me")
    printer.client.cancel(job_id)
    host.set_fault("cover_open", False)
    assert printer.client.job(job_id).state == 7
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_paper_low_is_a_warning_that_does_not_stop_printing(host: IppHost, tmp_path: Path) -> None:
    printer = driver(host, tmp_path)
    host.set_fault("paper_low")
    assert printer.print_pdf(make_test_page()).state == 9
    assert "paper_low" in [f.code for f in printer.faults]
    assert not any(f.blocking for f in printer.faults)


def test_a_pulled_cable_is_no_device_and_plugging_back_recovers(
    host: IppHost, tmp_path: Path
) -> None:
    printer = driver(host, tmp_path)
    host.set_fault("unplug")
    assert printer.refresh() is None
    assert printer.condition == Condition.NO_DEVICE
    with pytest.raises(DeviceUnavailable):
        printer.client.printer()
    host.set_fault("unplug", False)
    assert printer.refresh() is not None and printer.condition == Condition.ONLINE


def test_garbled_answers_are_protocol_errors_not_crashes(host: IppHost, tmp_path: Path) -> None:
    printer = driver(host, tmp_path)
    host.set_fault("garbled")
    with pytest.raises(PeripheralError, match="malformed IPP"):
        printer.client.printer()
    host.set_fault("garbled", False)
    assert printer.client.printer().state == 3


def test_bad_requests_are_refused_and_nothing_is_printed(host: IppHost, tmp_path: Path) -> None:
    printer = driver(host, tmp_path)
    with pytest.raises(PeripheralError, match="0x040a"):
        printer.client.print_pdf(b"not a pdf at all", "junk")
    conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=2)
    conn.request(
        "POST", "/printers/kiosk-documents", b"\x02\x00", {"Content-Type": "application/ipp"}
    )
    answer = conn.getresponse().read()
    conn.close()
    assert answer[2:4] == b"\x04\x00"  # client-error-bad-request
    host.set_fault("offline")
    with pytest.raises(DeviceUnavailable, match="offline"):  # refused before it is sent
        printer.print_pdf(make_test_page(), timeout=0.3)
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_the_document_printer_emulator_is_registered_with_its_faults() -> None:
    assert {"paper_out", "paper_jam", "cover_open", "paper_low", "unplug"} <= faults_for(
        "document-printer"
    )
