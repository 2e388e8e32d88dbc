"""The printer emulator: python-escpos as an independent client, garbage on the line, rendering."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pty_helpers import wait_until

from peripherals.conditions import Condition
from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.receipt import Line, Qr, Receipt


def test_python_escpos_text_qr_cut_are_understood(printer_emulator) -> None:
    from escpos.printer import Serial

    emu, host = printer_emulator
    client = Serial(devfile=host.url, baudrate=115200, timeout=0.5, profile="TM-T88V")
    try:
        client.set(align="center", bold=True)
        client.text("Croeso\n")
        client.set(align="left", bold=False)
        client.text("Total 12.50 EUR\n")
        client.qr("https://kiosk.example/h#abc", native=True, size=5)
        client.cut()
        assert wait_until(lambda: emu.receipts)
        assert client.paper_status() == 2  # python-escpos: 2 = paper adequate
        emu.set_fault("paper_out")
        assert client.paper_status() == 0
    finally:
        client.close()
    receipt = emu.receipts[0]
    assert [(ln.text, ln.bold, ln.align) for ln in receipt.lines[:2]] == [
        ("Croeso", True, 1),
        ("Total 12.50 EUR", False, 0),
    ]
    assert receipt.qr_codes[0].data == b"https://kiosk.example/h#abc"
    assert receipt.qr_codes[0].module_size == 5
    assert receipt.cut == "full"


def test_dle_eot_is_answered_mid_command(printer_emulator) -> None:
    emu, host = printer_emulator
    received: list[bytes] = []
    emu.send = received.append  # type: ignore[method-assign]
    # DLE EOT 4 between ESC and its parameter, and between GS ( k length bytes
    emu.on_bytes(b"\x1b\x10\x04\x04E\x01bold\n\x1d(k\x10\x04\x01\x03\x00" + b"1C\x04")
    assert received == [b"\x12", b"\x12"]
    assert emu.current.lines[0].text == "bold" and emu.current.lines[0].bold
    # a 0x10 that is a parameter (GS ! 0x10: double width) is not taken for DLE
    emu.on_bytes(b"\x1d!\x10Wide\n")
    assert (emu.current.lines[1].text, emu.current.lines[1].width) == ("Wide", 2)


def test_render_text_and_png(printer_emulator, printer, tmp_path) -> None:
    emu, _ = printer_emulator
    printer.print_receipt(
        Receipt(
            [
                Line("Croeso", bold=True, align="center", width=2),
                Line("Dŵr"),
                Qr("https://kiosk.example/h#abc", module_size=4),
            ]
        )
    )
    receipt = emu.receipts[-1]
    text = receipt.text()
    assert "Croeso" in text and "Dŵr" in text and "[QR https://kiosk.example/h#abc]" in text
    png = receipt.save_png(tmp_path / "r.png")
    from PIL import Image

    img = Image.open(png)
    assert img.width == 576
    assert img.height > 100
    # the QR is drawn as dots: a row through it has several black/white runs
    qr_rows = [
        y for y in range(img.height) if sum(img.getpixel((x, y)) == 0 for x in range(576)) > 40
    ]
    assert qr_rows


@pytest.fixture(scope="module")
def garbage_rig():
    emu = ReceiptPrinterEmulator()
    host = PtyHost(emu)
    host.start()
    printer = ReceiptPrinter("garbage", host.url, profile="kiosk-emulator", status_timeout=0.3)
    printer.open()
    yield emu, host, printer
    printer.close()
    host.stop()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.binary(min_size=1, max_size=300))
def test_random_garbage_never_kills_the_reader(garbage_rig, junk: bytes) -> None:
    emu, host, printer = garbage_rig
    reader = printer.transport._thread
    host.send(junk)
    host.send(b"\x37\x22" + b"XXXX" + b"\x00")  # end any partial frame the junk started
    assert reader is not None and reader.is_alive()
    status = None
    for _ in range(3):  # a junk byte can look like a status reply; the next query is clean
        status = printer.query_status()
        if status is not None and printer.condition is Condition.ONLINE:
            break
    assert printer.condition is Condition.ONLINE
    assert printer.transport._thread is reader and reader.is_alive()
    assert threading.active_count() < 50


def test_garbled_line_fault_does_not_wedge_the_driver(printer_emulator, printer) -> None:
    emu, host = printer_emulator
    host.set_fault("garbled")
    for _ in range(10):
        printer.paper_status()
    host.set_fault("garbled", False)
    assert printer.query_status() is not None
    printer.print_receipt(Receipt([Line("after noise")]))
    assert emu.receipts[-1].lines[0].text == "after noise"


def test_slow_line_is_throttled_to_the_baud_rate(printer_emulator, printer) -> None:
    import time

    emu, host = printer_emulator
    host.set_fault("slow")  # 9600 baud when no rate was given
    assert host.baud == 9600
    receipt = Receipt([Line("x" * 47) for _ in range(10)])  # ~500 bytes ≈ 0.5 s on the line
    start = time.monotonic()
    printer.print_receipt(receipt)
    assert time.monotonic() - start >= 480 * 10 / 9600
    host.baud = None


def test_receipts_saved_as_text_and_png(tmp_path) -> None:
    emu = ReceiptPrinterEmulator(output_dir=tmp_path)
    emu.on_bytes(b"\x1b@Hello\n\x1dV\x01")
    assert (tmp_path / "receipt-001.txt").read_text(encoding="utf-8").startswith("Hello")
    assert (tmp_path / "receipt-001.png").stat().st_size > 0


def test_png_qr_modules_match_the_qr_symbol(tmp_path) -> None:
    """Sample the drawn QR module by module and compare with the symbol for the same data."""
    import qrcode

    emu = ReceiptPrinterEmulator()
    data = b"https://kiosk.example/h/ABCD#k3y"
    from peripherals.escpos import commands as cmd

    emu.on_bytes(cmd.init() + cmd.qr(data, module_size=5, ecc=cmd.QrEcc.M) + cmd.cut())
    img = emu.receipts[0].image()
    black = [
        (x, y) for y in range(img.height) for x in range(img.width) if img.getpixel((x, y)) == 0
    ]
    left, top = min(x for x, _ in black), min(y for _, y in black)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    sampled = [
        [img.getpixel((left + c * 5 + 2, top + r * 5 + 2)) == 0 for c in range(len(matrix))]
        for r in range(len(matrix))
    ]
    assert sampled == matrix
