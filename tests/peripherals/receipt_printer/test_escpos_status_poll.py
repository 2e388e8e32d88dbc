"""The idle status poll (DLE EOT every `status_poll` s) against the emulator on a real pty.

The emulator's `asb_lost` switch loses every automatic status block on the line while real-time
replies still come: only the poll can tell the driver that the paper ran out or came back.
"""

from __future__ import annotations

import threading
import time

import pytest
from pty_helpers import wait_until

from peripherals.escpos.printer import ReceiptPrinter, create
from peripherals.escpos.receipt import Line, Receipt
from peripherals.events import EventBus, FaultCleared, FaultRaised
from peripherals.stats import DeviceStats


@pytest.fixture
def emulator(printer_emulator):  # type: ignore[no-untyped-def]
    """The shared pty emulator of conftest.py (``bus`` comes from there too)."""
    return printer_emulator


def _printer(url: str, bus: EventBus, tmp_path, poll: float) -> ReceiptPrinter:
    p = ReceiptPrinter(
        "receipt",
        url,
        profile="kiosk-emulator",
        bus=bus,
        stats=DeviceStats("receipt", tmp_path),
        status_timeout=0.5,
        completion_timeout=5.0,
        status_poll=poll,
    )
    p.open()
    return p


def _codes(printer: ReceiptPrinter) -> set[str]:
    return {f.code for f in printer.faults}


def _events(bus: EventBus) -> list[object]:
    got: list[object] = []
    bus.subscribe(got.append)
    return got


def test_the_poll_finds_a_paper_out_and_its_fix_whose_status_blocks_were_lost(
    emulator, bus, tmp_path
):
    emu, host = emulator
    printer = _printer(host.url, bus, tmp_path, poll=0.2)
    events = _events(bus)
    try:
        host.set_fault("asb_lost", True)
        sent_before = emu.status_requests
        host.set_fault("paper_out", True)  # its ASB block is lost on the line
        assert wait_until(lambda: _codes(printer) == {"paper_out"}, 3.0), printer.faults
        assert emu.status_requests > sent_before  # found by DLE EOT, not by ASB
        host.set_fault("paper_out", False)  # and the block saying so is lost too
        assert wait_until(lambda: printer.faults == (), 3.0), printer.faults
        bus.drain()
        told = [
            (type(e).__name__, e.fault.code)
            for e in events
            if isinstance(e, FaultRaised | FaultCleared)
        ]
        assert told == [("FaultRaised", "paper_out"), ("FaultCleared", "paper_out")]
    finally:
        printer.close()


def test_without_the_poll_a_lost_status_block_is_never_corrected(emulator, bus, tmp_path):
    emu, host = emulator
    printer = _printer(host.url, bus, tmp_path, poll=0)
    try:
        host.set_fault("asb_lost", True)
        sent_before = emu.status_requests
        host.set_fault("paper_out", True)
        time.sleep(0.6)  # three intervals of the poll in the test above
        assert printer.faults == () and emu.status_requests == sent_before
    finally:
        printer.close()


def test_a_poll_without_an_answer_keeps_what_the_printer_said_last(emulator, bus, tmp_path):
    emu, host = emulator
    printer = _printer(host.url, bus, tmp_path, poll=0.1)
    try:
        host.set_fault("paper_out", True)
        assert wait_until(lambda: _codes(printer) == {"paper_out"})
        host.set_fault("clone_no_status", True)  # from now on no reply to DLE EOT
        requests = emu.status_requests
        assert wait_until(lambda: emu.status_requests >= requests + 3, 5.0)
        assert _codes(printer) == {"paper_out"}  # "no answer" is not "paper loaded"
    finally:
        printer.close()


def test_no_status_request_goes_out_while_a_job_is_printing(emulator, bus, tmp_path):
    emu, host = emulator
    host.set_fault("slow", True)  # 9600 baud: the job is on the line for a while
    printer = _printer(host.url, bus, tmp_path, poll=0.02)
    requests: list[tuple[float, float]] = []
    ask = printer.transport.request

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        try:
            return ask(*args, **kwargs)
        finally:
            requests.append((start, time.monotonic()))

    printer.transport.request = timed  # type: ignore[method-assign]
    job: dict[str, float] = {}
    write = printer.transport.write

    def job_write(data: bytes) -> None:
        if len(data) > 3 and threading.current_thread().name != "poll-receipt":
            job.setdefault("start", time.monotonic())
        write(data)

    printer.transport.write = job_write  # type: ignore[method-assign]
    try:
        assert wait_until(lambda: len(requests) >= 2)  # polling runs while idle
        printer.print_receipt(Receipt([Line(f"line {i}") for i in range(40)]))
        job["end"] = time.monotonic()
        assert job["end"] - job["start"] > 0.2  # long enough for ten polls
        assert len(emu.receipts) == 1
        during = [r for r in requests if r[0] < job["end"] and r[1] > job["start"]]
        assert during == []
        done = len(requests)
        assert wait_until(lambda: len(requests) > done)  # and it resumes afterwards
    finally:
        printer.close()


def test_close_stops_the_poll(emulator, bus, tmp_path):
    emu, host = emulator
    printer = _printer(host.url, bus, tmp_path, poll=0.05)
    assert wait_until(lambda: emu.status_requests >= 4)
    printer.close()
    assert not any(t.name == "poll-receipt" for t in threading.enumerate())
    after = emu.status_requests
    time.sleep(0.2)
    assert emu.status_requests == after


def test_the_poll_interval_is_a_kiosk_toml_option(emulator, tmp_path):
    _, host = emulator
    stats = DeviceStats("receipt", tmp_path)
    options = {"profile": "kiosk-emulator", "status_poll": 0.5}
    printer = create(name="receipt", port=host.url, options=options, stats=stats, bus=None)
    assert printer.status_poll == 0.5
    off = create(name="r2", port=host.url, options={"status_poll": 0}, stats=stats, bus=None)
    assert off.status_poll == 0
    assert create(name="r3", port=host.url, options={}, stats=stats, bus=None).status_poll == 5.0
