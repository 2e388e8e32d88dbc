"""What the citizen reads after a failed print: "nothing was printed" or "only part of it", never a
slip that printed — from the printer's own status bytes to the outcome screen's sentence.

The faults come from :class:`spec_printer.SpecPrinter` answering with Epson's literal DLE EOT and
GS a bytes over a pty; the sentence is :func:`kiosk.runtime.app.fault_sentence`, which the outcome
screen shows as the print result (``KioskRuntime.print_receipt``), in English and Welsh.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spec_printer import SpecPrinter

from kiosk.runtime.app import fault_sentence
from peripherals.emulators.pty_host import PtyHost
from peripherals.errors import DeviceFault, DeviceTimeout
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.receipt import Line, Receipt
from peripherals.events import EventBus
from peripherals.transport import Backoff

ONLINE = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}
PAPER_OUT = {1: b"\x1a", 2: b"\x32", 3: b"\x12", 4: b"\x72"}  # DLE EOT 1..4: offline, paper end
ASB_PAPER_OUT = b"\x18\x00\x0f\x00"  # GS a block: offline, paper end
PROCESS_ID = lambda job: b"\x37\x22" + job + b"\x00"  # noqa: E731
RECEIPT = Receipt([Line("Ref WXYZ-9876")])


@pytest.fixture
def printer() -> Iterator[tuple[SpecPrinter, ReceiptPrinter]]:
    bus = EventBus(threaded=False)
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host = PtyHost(device)
    host.start()
    driver = ReceiptPrinter(
        "receipt", host.url, backoff=Backoff(0.01, 0.05), status_poll=0, status_timeout=0.2,
        completion_timeout=0.5, probe_timeout=0.3, bus=bus,
    )  # fmt: skip
    driver.open()
    yield device, driver
    driver.close()
    host.stop()
    bus.close()


def _fault(driver: ReceiptPrinter) -> DeviceFault:
    with pytest.raises(DeviceFault) as err:
        driver.print_receipt(RECEIPT)
    return err.value


def test_paper_out_before_the_job_says_nothing_was_printed(printer) -> None:
    device, driver = printer
    device.status = dict(PAPER_OUT)
    exc = _fault(driver)
    assert fault_sentence(exc, "en") == (
        "Nothing was printed. The printer needs attention. Please ask a member of staff."
    )
    assert fault_sentence(exc, "cy") == (
        "Ni chafodd dim ei argraffu. Mae angen sylw ar yr argraffydd. Gofynnwch i aelod o staff."
    )


def test_paper_out_in_the_middle_says_only_part_printed(printer) -> None:
    device, driver = printer

    def paper_runs_out(received: bytes) -> None:
        if b"Ref WXYZ-9876" in received:
            device.on_received = None
            device.process_id = None
            device.status = dict(PAPER_OUT)
            device.send(ASB_PAPER_OUT)

    device.on_received = paper_runs_out
    exc = _fault(driver)
    english = fault_sentence(exc, "en")
    welsh = fault_sentence(exc, "cy")
    assert english.startswith("Your slip only printed in part, and the rest was cancelled. ")
    assert welsh.startswith("Dim ond rhan o’ch slip a argraffwyd, ac mae’r gweddill wedi’i ganslo.")
    assert english.endswith("Please ask a member of staff.")
    assert "Nothing was printed" not in english


def test_an_unconfirmed_job_claims_neither() -> None:
    # no answer at all: the kiosk cannot know what came out, so it says only what to do
    sentence = fault_sentence(DeviceTimeout("no reply"), "en")
    assert sentence == "This kiosk can’t print just now. Your reference is on the screen."
