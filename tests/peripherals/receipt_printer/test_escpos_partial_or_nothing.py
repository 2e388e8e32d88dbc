"""Issue 15, item 5 leftovers: "nothing printed" is not "part printed".

A printer that is already out of paper when a job is due must not be sent the job, and the fault
must say nothing came out (`partial` False); a fault in the middle of a job says part may have come
out (`partial` True) and the rest is cleared from the printer before any reprint. Status bytes are
literals from Epson's ESC/POS reference (DLE EOT n = 1..4 replies; GS a automatic status back
blocks), answered by :class:`spec_printer.SpecPrinter` behind a real pseudo-terminal, not made by
our encoder.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pty_helpers import wait_until
from spec_printer import SpecPrinter

from peripherals.emulators.pty_host import PtyHost
from peripherals.errors import DeviceFault
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.receipt import Line, Receipt
from peripherals.events import EventBus
from peripherals.transport import Backoff

# DLE EOT n (Epson "Transmit real-time status"): 0x12 nothing to report; n=1 0x1A offline;
# n=2 0x32 paper-end stop; n=4 0x72 paper end (bits 5 and 6).
ONLINE = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}
PAPER_OUT = {1: b"\x1a", 2: b"\x32", 3: b"\x12", 4: b"\x72"}
# GS a block (4 bytes, first 0xx1xx00): byte 1 bit 3 offline, byte 3 bits 2-3 paper end.
ASB_PAPER_OUT = b"\x18\x00\x0f\x00"
ASB_ONLINE = b"\x10\x00\x00\x00"
PROCESS_ID = lambda job: b"\x37\x22" + job + b"\x00"  # noqa: E731
CLEAR = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"  # DLE DC4 fn 8
RECEIPT = Receipt([Line("Jobcentre Plus"), Line("Ref WXYZ-9876")])


@pytest.fixture
def bus() -> Iterator[EventBus]:
    b = EventBus(threaded=False)
    yield b
    b.close()


def connect(device: SpecPrinter, bus: EventBus, profile: str) -> tuple[PtyHost, ReceiptPrinter]:
    host = PtyHost(device)
    host.start()
    printer = ReceiptPrinter(
        "receipt", host.url, profile=profile, backoff=Backoff(0.01, 0.05), status_poll=0,
        status_timeout=0.2, completion_timeout=0.5, probe_timeout=0.3, bus=bus,
    )  # fmt: skip
    printer.open()
    return host, printer


@pytest.mark.parametrize("profile", ["default", "tm-t88iii", "clone-58"])
def test_paper_out_before_the_job_sends_nothing_and_says_nothing_printed(bus, profile) -> None:
    # "default" and "tm-t88iii" have ASB, "clone-58" has not: the status is read first either way
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host, printer = connect(device, bus, profile)
    try:
        device.status = dict(PAPER_OUT)  # the roll ran out while the kiosk was idle
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert err.value.partial is False
        assert [f.code for f in err.value.faults] == ["paper_out"]
        assert "Nothing was sent" in str(err.value)
        sent = bytes(device.received)
        assert b"Ref WXYZ-9876" not in sent  # the job never went down the line
        assert CLEAR not in sent and b"\x10\x05\x02" not in sent  # nothing to clear
    finally:
        printer.close()
        host.stop()


def test_an_asb_paper_out_before_the_job_is_nothing_printed_too(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host, printer = connect(device, bus, "default")
    try:
        device.status = dict(PAPER_OUT)
        device.send(ASB_PAPER_OUT)  # the printer told us by itself
        assert wait_until(lambda: [f.code for f in printer.faults] == ["paper_out"], 1.0)
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert err.value.partial is False
        assert b"Ref WXYZ-9876" not in bytes(device.received)
    finally:
        printer.close()
        host.stop()


def test_paper_out_in_the_middle_is_partial_cleared_and_the_reprint_comes_out_once(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host, printer = connect(device, bus, "default")

    def paper_runs_out(received: bytes) -> None:
        if received.count(b"Ref WXYZ-9876") == 1 and device.process_id is not None:
            device.process_id = None  # the job stops half-way: no process-ID reply
            device.status = dict(PAPER_OUT)
            device.send(ASB_PAPER_OUT)

    device.on_received = paper_runs_out
    try:
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert err.value.partial is True
        assert "may have come out in part" in str(err.value)
        sent = bytes(device.received)
        assert sent.count(CLEAR) == 1 and sent.index(CLEAR) > sent.index(b"Ref WXYZ-9876")
        device.on_received = None
        device.status = dict(ONLINE)
        device.process_id = PROCESS_ID
        device.send(ASB_ONLINE)  # staff loaded paper
        assert wait_until(lambda: not printer.faults, 1.0)
        printer.print_receipt(RECEIPT)
        assert bytes(device.received).count(b"Ref WXYZ-9876") == 2  # the job, then one reprint
    finally:
        printer.close()
        host.stop()


def test_emulator_with_a_lost_asb_block_paper_out_before_the_job_nothing_held(
    printer_emulator, printer
) -> None:
    """The roll ran out while idle and the ASB block never arrived (emulator switch asb_lost):
    the status read before the job finds it, the job is not sent, nothing is held in the printer to
    come out later, and the reprint after the roll is changed comes out once."""
    from peripherals.conditions import DeviceState

    emu, _host = printer_emulator
    emu.set_fault("asb_lost")
    emu.set_fault("paper_out")
    with pytest.raises(DeviceFault) as err:
        printer.print_receipt(RECEIPT)
    assert err.value.partial is False
    assert b"Ref WXYZ-9876" not in bytes(emu.received) and emu.torn == []
    emu.set_fault("asb_lost", False)
    emu.set_fault("paper_out", False)
    printer.query_status()  # the driver learns the roll is back
    assert wait_until(lambda: printer.state is DeviceState.IDLE, 1.0)
    assert emu.receipts == []  # nothing of the refused job appears
    printer.print_receipt(RECEIPT)
    assert [r.text().count("Ref WXYZ-9876") for r in emu.receipts] == [1]
