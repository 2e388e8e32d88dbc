"""The printer emulator's control socket: faults switched while it runs, as a demo or a technician
would, reach the driver through the real status bytes."""

from __future__ import annotations

from peripherals.emulators.control import send_command
from peripherals.escpos.printer import PaperState, ReceiptPrinter


def test_paper_out_switched_over_the_control_socket(printer: ReceiptPrinter, printer_emulator):
    _, host = printer_emulator
    assert printer.paper_status() is PaperState.OK
    assert send_command(str(host.url), "fault paper_out on") == "ok fault paper_out on"
    assert send_command(str(host.url), "faults") == "ok paper_out"
    assert printer.paper_status() is PaperState.OUT
    assert send_command(str(host.url), "fault paper_out off") == "ok fault paper_out off"
    assert printer.paper_status() is PaperState.OK


def test_unknown_fault_is_refused_with_a_reason(printer_emulator):
    _, host = printer_emulator
    answer = send_command(str(host.url), "fault no_such_fault on")
    assert answer.startswith("error:") and "no_such_fault" in answer
