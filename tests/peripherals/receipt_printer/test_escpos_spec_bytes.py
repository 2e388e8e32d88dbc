"""The receipt driver against bytes written out from the manuals, over real pseudo-terminals.

Sources (issue 15, items 1–5 and 7): Epson ESC/POS Application Programming Guide / Command Reference
— DLE EOT n (real-time status, replies 0xx1xx10), GS a (automatic status back: 4 bytes, the first
0xx1xx00, bytes 2–4 with bits 4 and 7 fixed to 0, "consecutive except for XOFF"), GS ( H fn 48
(process-ID response 37 22 d1 d2 d3 d4 00), DLE DC4 fn 8 (10 14 08 01 03 14 01 06 02 08, clear
response 37 25 00, executed even offline), DLE ENQ 2 (10 05 02); the TM-T88III manual (no GS ( H);
Bixolon SRP-E300/302 (ESC @ resets GS a). Every reply below is a literal from those pages.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pty_helpers import wait_until
from spec_printer import SpecPrinter

from peripherals.conditions import Condition, DeviceState
from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.errors import DeviceFault
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.receipt import Line, Receipt
from peripherals.escpos.status import (
    AsbBlock,
    BufferCleared,
    Completion,
    Noise,
    PrinterStatus,
    RealtimeStatus,
    StatusStream,
    expect_realtime,
)
from peripherals.events import EventBus, JobCompleted
from peripherals.transport import Backoff

# DLE EOT n replies (Epson, "Transmit real-time status"): bits 1 and 4 are fixed to 1 → 0x12 is
# "nothing to report"; n=1 bit 3 offline (0x1A); n=2 bit 2 cover open (0x16), bit 5 paper-end stop
# (0x32); n=3 bit 6 auto-recoverable error (0x52); n=4 bits 5+6 paper end (0x72).
ONLINE = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}
PAPER_OUT = {1: b"\x1a", 2: b"\x32", 3: b"\x12", 4: b"\x72"}
COVER_OPEN_WHILE_PRINTING = {1: b"\x1a", 2: b"\x16", 3: b"\x52", 4: b"\x12"}
# GS ( H fn 48 reply: header 37, identifier 22, the four id bytes, NUL
PROCESS_ID = lambda job: b"\x37\x22" + job + b"\x00"  # noqa: E731
RECEIPT = Receipt([Line("Jobcentre Plus"), Line("Ref ABCD-1234")])


@pytest.fixture
def bus() -> Iterator[EventBus]:
    b = EventBus(threaded=False)
    yield b
    b.close()


def connect(device, bus: EventBus | None = None, **kw) -> tuple[PtyHost, ReceiptPrinter]:
    host = PtyHost(device)
    host.start()
    options = {"status_timeout": 0.2, "completion_timeout": 0.5, "probe_timeout": 0.3}
    options.update(kw)
    printer = ReceiptPrinter(
        "receipt",
        host.url,
        profile=options.pop("profile", "default"),
        backoff=Backoff(0.01, 0.05),
        status_poll=0,
        bus=bus,
        **options,
    )
    printer.open()
    return host, printer


# ------------------------------------------------------------------ item 1: no GS ( H
def test_a_printer_without_process_id_is_found_at_open_and_confirmed_by_status(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=None)  # TM-T88III: GS ( H is not a command
    host, printer = connect(device, bus)
    try:
        assert printer.completion_id is False  # one probe at open, unanswered
        assert printer.check_health("internal").details["confirmation"] == "status"
        seen: list[JobCompleted] = []
        bus.subscribe(seen.append, JobCompleted)
        probes = bytes(device.received).count(b"\x1d\x28\x48")
        start = time.monotonic()
        job = printer.print_receipt(RECEIPT)
        assert time.monotonic() - start < printer.completion_timeout  # no wait for a reply
        bus.drain()
        assert [(e.job_id, e.ok, e.detail) for e in seen] == [(job, True, "status-checked")]
        assert bytes(device.received).count(b"\x1d\x28\x48") == probes  # no GS ( H in the job
        assert bytes(device.received).endswith(b"\x10\x04\x01\x10\x04\x04")  # then DLE EOT 1, 4
    finally:
        printer.close()
        host.stop()


def test_a_status_checked_job_that_ran_out_of_paper_fails_and_is_cleared(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=None)
    host, printer = connect(device, bus, profile="tm-t88iii")  # buffer_clear = DLE ENQ 2

    def paper_runs_out(received: bytes) -> None:
        if b"Ref ABCD-1234" in received:
            device.status = PAPER_OUT

    device.on_received = paper_runs_out
    try:
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert err.value.partial and [f.code for f in err.value.faults] == ["paper_out"]
        # DLE ENQ 2 after the failed job
        assert wait_until(lambda: bytes(device.received).endswith(b"\x10\x05\x02"), 1.0)
    finally:
        printer.close()
        host.stop()


def test_a_unit_that_stops_answering_gs_paren_h_still_reports_the_receipt_printed(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host, printer = connect(device, bus)
    try:
        assert printer.completion_id is True
        assert printer.print_receipt(RECEIPT)
        device.process_id = None  # the printer printed, but says nothing (a clone's firmware)
        bus.drain()
        seen: list[JobCompleted] = []
        bus.subscribe(seen.append, JobCompleted)
        printer.print_receipt(RECEIPT)  # no DeviceTimeout: DLE EOT says online, no fault
        bus.drain()
        assert [(e.ok, e.detail) for e in seen] == [(True, "status-checked")]
        assert printer.completion_id is False
    finally:
        printer.close()
        host.stop()


def test_emulator_switch_no_process_id(bus) -> None:
    emu = ReceiptPrinterEmulator()
    emu.set_fault("no_process_id")
    host, printer = connect(emu, bus, profile="kiosk-emulator")
    try:
        assert printer.completion_id is False
        printer.print_receipt(RECEIPT)
        assert emu.receipts[-1].lines[0].text == "Jobcentre Plus" and emu.completions == []
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 2: GS a after ESC @
def test_gs_a_is_sent_again_after_every_esc_at(bus) -> None:
    emu = ReceiptPrinterEmulator()
    emu.set_fault("asb_reset_by_init")  # Bixolon SRP-E300/302: ESC @ switches ASB off
    host, printer = connect(emu, bus, profile="kiosk-emulator")
    try:
        printer.print_receipt(RECEIPT)
        sent = bytes(emu.received)
        # ESC @ = 1B 40; GS a n = 1D 61 n, n = 0E (online, error, paper sensor)
        assert sent.count(b"\x1b\x40") == 2
        assert sent.count(b"\x1b\x40") == sent.count(b"\x1b\x40\x1d\x61\x0e")
        emu.set_fault("paper_out")  # still told by ASB after the job's ESC @
        assert wait_until(lambda: [f.code for f in printer.faults] == ["paper_out"], 1.0)
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 3: XOFF inside a frame
def test_xoff_inside_asb_and_process_id_is_skipped() -> None:
    s = StatusStream()
    # ASB "paper end" 18 00 0F 00 with XOFF (13) after its first and third bytes
    assert s.feed(b"\x18\x13\x00\x0f\x13\x00") == [AsbBlock(b"\x18\x00\x0f\x00")]
    # process-ID response 37 22 "0001" 00 interrupted twice
    assert s.feed(b"\x37\x13\x22\x30\x30\x13\x30\x31\x00") == [Completion(b"0001")]
    assert s.feed(b"\x37\x25\x13\x00") == [BufferCleared()]
    assert s.feed(b"\x13") == [Noise(b"\x13")]  # a lone XOFF between frames is no frame


def test_xoff_inside_replies_over_a_pty(bus) -> None:
    # 37 22 d1 d2 XOFF d3 d4 00: "consecutive except for XOFF"
    device = SpecPrinter(
        ONLINE, process_id=lambda job: b"\x37\x22" + job[:2] + b"\x13" + job[2:] + b"\x00"
    )
    host, printer = connect(device, bus)
    try:
        assert printer.completion_id is True  # the probe's reply was understood
        seen: list[JobCompleted] = []
        bus.subscribe(seen.append, JobCompleted)
        printer.print_receipt(RECEIPT)
        bus.drain()
        assert [(e.ok, e.detail) for e in seen] == [(True, "")]  # confirmed by GS ( H
        device.send(b"\x18\x13\x00\x0f\x00")  # ASB paper end, XOFF after byte 1
        assert wait_until(lambda: [f.code for f in printer.faults] == ["paper_out"], 1.0)
    finally:
        printer.close()
        host.stop()


def test_emulator_switch_xoff_in_replies(bus) -> None:
    emu = ReceiptPrinterEmulator()
    emu.set_fault("xoff_in_replies")
    host, printer = connect(emu, bus, profile="kiosk-emulator")
    try:
        assert printer.completion_id is True
        printer.print_receipt(RECEIPT)
        emu.set_fault("cover_open")
        assert wait_until(lambda: [f.code for f in printer.faults] == ["cover_open"], 1.0)
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 4: stray ASB-like byte
def test_a_stray_asb_shaped_byte_does_not_hide_the_reply_after_it() -> None:
    # 10 matches 0xx1xx00 (an ASB start); 12 has bit 4 set, so it cannot be ASB byte 2
    assert expect_realtime(b"\x10") is None
    assert expect_realtime(b"\x10\x12") == -1
    assert expect_realtime(b"\x12") == 1
    assert StatusStream().feed(b"\x10\x12") == [Noise(b"\x10"), RealtimeStatus(0x12)]


def test_a_stray_byte_before_a_status_reply_over_a_pty(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID)
    host, printer = connect(device, bus, status_timeout=0.5)
    try:
        device.status = PAPER_OUT
        device.before_next_reply = b"\x10"
        start = time.monotonic()
        status = printer.query_status()
        assert time.monotonic() - start < 0.4  # the reply was not held back as "ASB byte 2"
        assert status is not None and status.paper_end
        assert [f.code for f in printer.faults] == ["paper_out"]
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 7: cover open mid-job
def test_cover_opened_while_printing_is_cover_open_not_overheating() -> None:
    replies = {n: b[0] for n, b in COVER_OPEN_WHILE_PRINTING.items()}
    condition, faults = PrinterStatus.from_realtime(replies).assess()
    assert (condition, [f.code for f in faults]) == (Condition.USER_ERROR, ["cover_open"])
    # ASB: byte 1 38 (offline 08, cover open 20), byte 2 40 (auto-recoverable error)
    _, faults = PrinterStatus.from_asb(b"\x38\x40\x00\x00").assess()
    assert [f.code for f in faults] == ["cover_open"]
    # the auto-recoverable bit alone is still reported (head temperature)
    _, faults = PrinterStatus.from_asb(b"\x18\x40\x00\x00").assess()
    assert [f.code for f in faults] == ["auto_recoverable_error"]


def test_cover_opened_while_printing_over_a_pty(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=None)
    host, printer = connect(device, bus, profile="tm-t88iii")

    def cover_opens(received: bytes) -> None:
        if b"Ref ABCD-1234" in received:
            device.status = COVER_OPEN_WHILE_PRINTING

    device.on_received = cover_opens
    try:
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert [f.code for f in err.value.faults] == ["cover_open"]
        assert printer.condition is Condition.USER_ERROR
        assert "close it" in printer.faults[0].message
    finally:
        printer.close()
        host.stop()


def test_emulator_sets_the_auto_recoverable_bit_when_the_cover_opens_mid_job(bus) -> None:
    emu = ReceiptPrinterEmulator()
    host, printer = connect(emu, bus, profile="kiosk-emulator")
    try:
        emu.on_bytes(b"\x1b\x40half a receipt\n")  # printing, not cut
        emu.set_fault("cover_open")
        assert emu.status_byte(3) == 0x52 and emu.asb_block()[1] == 0x40
        assert wait_until(lambda: [f.code for f in printer.faults] == ["cover_open"], 1.0)
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 5: clear before reprint
def test_a_mid_job_fault_clears_with_dle_dc4_fn_8_then_the_reprint_goes_out_once(bus) -> None:
    device = SpecPrinter(ONLINE, process_id=PROCESS_ID, cleared=b"\x37\x25\x00")
    host, printer = connect(device, bus)

    def paper_runs_out(received: bytes) -> None:
        if received.count(b"Ref ABCD-1234") == 1 and device.process_id is not None:
            device.process_id = None  # the job stops: no process-ID reply
            device.on_received = None  # once: the reprint's status query must not trip it again
            device.send(b"\x18\x00\x0f\x00")  # ASB: offline, paper end

    device.on_received = paper_runs_out
    try:
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(RECEIPT)
        assert err.value.partial
        sent = bytes(device.received)
        clear = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"
        assert sent.count(clear) == 1 and sent.index(clear) > sent.index(b"Ref ABCD-1234")
        device.process_id = PROCESS_ID
        device.send(b"\x10\x00\x00\x00")  # ASB: paper loaded, online
        assert wait_until(lambda: printer.state is DeviceState.IDLE, 1.0)
        printer.print_receipt(RECEIPT)
        assert bytes(device.received).count(b"Ref ABCD-1234") == 2  # the job, then one reprint
    finally:
        printer.close()
        host.stop()


# ------------------------------------------------------------------ item 6: 58 mm clones, flow control
def _rasters(data: bytes) -> list[tuple[int, int, bytes]]:
    """GS v 0 blocks as the manual lays them out: 1D 76 30 m xL xH yL yH, then (xL + xH·256) ×
    (yL + yH·256) bytes, rows top to bottom, the most significant bit the leftmost dot."""
    out = []
    i = data.find(b"\x1d\x76\x30")
    while i != -1:
        xb, rows = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
        out.append((xb, rows, data[i + 8 : i + 8 + xb * rows]))
        i = data.find(b"\x1d\x76\x30", i + 8 + xb * rows)
    return out


def test_a_58mm_clone_gets_the_qr_as_a_raster_picture(bus) -> None:
    from peripherals.escpos.receipt import Qr

    device = SpecPrinter(ONLINE, process_id=None)
    host, printer = connect(device, bus, profile="clone-58")
    try:
        printer.print_receipt(Receipt([Qr("https://kiosk.example/h/ABCD", module_size=4)]))
        assert wait_until(lambda: b"\x1dV" in bytes(device.received), 1.0)
    finally:
        printer.close()
        host.stop()
    sent = bytes(device.received)
    assert b"\x1d\x28\x6b" not in sent  # no GS ( k: the POS-58 / ZJ-5870 class has none
    blocks = _rasters(sent)
    assert blocks and all(xb == blocks[0][0] for xb, _, _ in blocks)
    assert all(rows <= 24 for _, rows, _ in blocks)  # the clone's small-buffer band
    xb = blocks[0][0]
    bitmap = b"".join(b for _, _, b in blocks)
    dots = [[bitmap[r * xb + c // 8] >> (7 - c % 8) & 1 for c in range(xb * 8)]
            for r in range(len(bitmap) // xb)]  # fmt: skip
    # ISO/IEC 18004 finder pattern, top left: a row through its centre reads dark:light:dark:
    # light:dark = 1:1:3:1:1 modules (here 4 dots a module)
    top = next(r for r, row in enumerate(dots) if any(row))
    left = dots[top].index(1)
    centre = dots[top + 3 * 4 + 2][left : left + 7 * 4]
    runs = [centre[0]]
    lengths = [0]
    for d in centre:
        if d != runs[-1]:
            runs.append(d)
            lengths.append(0)
        lengths[-1] += 1
    assert runs == [1, 0, 1, 0, 1] and lengths == [4, 4, 12, 4, 4]


def test_flow_control_per_device_from_kiosk_toml_options(tmp_path) -> None:
    from peripherals.errors import ConfigurationError
    from peripherals.registry import create_device

    emu = ReceiptPrinterEmulator()
    host = PtyHost(emu)
    host.start()
    try:
        options = {"profile": "kiosk-emulator", "rtscts": False, "xonxoff": True, "dsrdtr": False}
        printer = create_device("escpos", "receipt", host.url, options, tmp_path, None)
        printer.open()
        try:
            port = printer.transport._serial
            assert (port.xonxoff, port.rtscts, port.dsrdtr) == (True, False, False)
            printer.print_receipt(RECEIPT)
        finally:
            printer.close()
        with pytest.raises(ConfigurationError, match="xonxoff must be true or false"):
            create_device("escpos", "receipt", host.url, {"xonxoff": "yes"}, tmp_path, None)
    finally:
        host.stop()
