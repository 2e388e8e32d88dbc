"""The receipt printer driver against the emulator, over a real pseudo-terminal."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace

import pytest
from pty_helpers import wait_until

from peripherals.conditions import Condition, DeviceState, HealthLevel
from peripherals.errors import DeviceFault, DeviceUnavailable
from peripherals.escpos.printer import PaperState, ReceiptPrinter
from peripherals.escpos.profiles import get_profile
from peripherals.escpos.receipt import Line, Qr, Receipt
from peripherals.events import FaultCleared, FaultRaised, JobCompleted, Reconnected
from peripherals.transport import Backoff

WELSH = "Dŵr ŷ â ê î ô û ẁ ẃ ẅ ỳ Ŵ Ŷ"


def standard_receipt(lines: int = 12) -> Receipt:
    return Receipt(
        [Line("Jobcentre Plus", bold=True, align="center", width=2, height=2)]
        + [Line(f"Item {i:02d}  ............  {i * 3:>3}") for i in range(lines)]
        + [Qr("https://kiosk.example/h/ABCD-EFGH#k3y")]
    )


def test_open_replays_init_and_reads_status(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    assert printer.state is DeviceState.IDLE
    assert printer.condition is Condition.ONLINE
    assert bytes(emu.received).startswith(b"\x1b@\x1da\x0e")
    assert emu.status_requests >= 2


def test_print_waits_for_completion_and_counts(printer_emulator, printer, bus) -> None:
    emu, _ = printer_emulator
    job = printer.print_receipt(standard_receipt())
    assert emu.completions == [b"OPEN", job.encode()]  # the probe at open, then the job
    printed = emu.receipts[-1]
    assert printed.lines[0].text == "Jobcentre Plus" and printed.lines[0].bold
    assert [q.data for q in printed.qr_codes] == [b"https://kiosk.example/h/ABCD-EFGH#k3y"]
    assert printed.cut == "partial"
    assert printer.statistics.get("lines") == 13 and printer.statistics.get("cuts") == 1
    bus.drain()
    # JobCompleted is published after the completion reply, never before
    seen: list[JobCompleted] = []
    bus.subscribe(seen.append, JobCompleted)
    printer.print_receipt(standard_receipt(1))
    bus.drain()
    assert seen and seen[0].ok and seen[0].detail == ""


def test_paper_status_returns_when_the_byte_arrives(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    printer.status_timeout = 1.0
    times = []
    for _ in range(20):
        start = time.perf_counter()
        assert printer.paper_status() is PaperState.OK
        times.append(time.perf_counter() - start)
    assert max(times) < 0.5  # never waits out the 1 s deadline
    emu.set_fault("paper_near_end")
    assert printer.paper_status() is PaperState.NEAR_END
    emu.set_fault("paper_out")
    assert printer.paper_status() is PaperState.OUT


# fault → (DLE EOT 1..4 bytes, ASB block, condition, fault codes)
FAULTS = {
    "paper_near_end": (
        (0x12, 0x12, 0x12, 0x1E),
        b"\x10\x00\x03\x00",
        Condition.ONLINE,
        ["paper_near_end"],
    ),
    "paper_out": (
        (0x1A, 0x32, 0x12, 0x7E),
        b"\x18\x00\x0f\x00",
        Condition.USER_ERROR,
        ["paper_out"],
    ),
    "cover_open": (
        (0x1A, 0x16, 0x12, 0x12),
        b"\x38\x00\x00\x00",
        Condition.USER_ERROR,
        ["cover_open"],
    ),
    "cutter_error": (
        (0x1A, 0x52, 0x1A, 0x12),
        b"\x18\x08\x00\x00",
        Condition.HARDWARE_ERROR,
        ["cutter_error"],
    ),
    "offline": ((0x1A, 0x12, 0x12, 0x12), b"\x18\x00\x00\x00", Condition.OFFLINE, ["offline"]),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_and_its_recovery(printer_emulator, printer, bus, fault) -> None:
    emu, _ = printer_emulator
    realtime, asb, condition, codes = FAULTS[fault]
    emu.set_fault(fault)
    assert tuple(emu.status_byte(n) for n in (1, 2, 3, 4)) == realtime
    assert emu.asb_block() == asb
    # automatic status back reaches the driver without asking
    assert wait_until(lambda: [f.code for f in printer.faults] == codes)
    assert printer.condition is condition
    blocking = fault != "paper_near_end"
    assert printer.state is (DeviceState.ERROR if blocking else DeviceState.IDLE)
    # a real-time query says the same
    status = printer.query_status()
    assert status is not None and status.assess()[0] is condition
    if fault == "offline":
        with pytest.raises(DeviceUnavailable) as unavailable:
            printer.print_receipt(standard_receipt(1))
        assert unavailable.value.condition is Condition.OFFLINE
    elif blocking:
        with pytest.raises(DeviceFault) as err:
            printer.print_receipt(standard_receipt(1))
        assert [f.code for f in err.value.faults] == codes
    emu.set_fault(fault, False)
    assert wait_until(lambda: printer.state is DeviceState.IDLE and not printer.faults)
    assert printer.condition is Condition.ONLINE
    printer.print_receipt(standard_receipt(1))
    bus.drain()


def test_fault_events_and_statistics(printer_emulator, printer, bus) -> None:
    emu, _ = printer_emulator
    events: list[object] = []
    bus.subscribe(events.append)
    emu.set_fault("cover_open")
    assert wait_until(lambda: printer.state is DeviceState.ERROR)
    emu.set_fault("cover_open", False)
    assert wait_until(lambda: printer.state is DeviceState.IDLE)
    bus.drain()
    assert [e.fault.code for e in events if isinstance(e, FaultRaised)] == ["cover_open"]
    assert [e.fault.code for e in events if isinstance(e, FaultCleared)] == ["cover_open"]
    assert printer.statistics.get("faults") == 1


def test_paper_out_during_a_job_fails_fast_clears_the_rest_and_reprints_once(
    printer_emulator, printer
) -> None:
    emu, host = printer_emulator
    host.baud = 9600  # ~1 ms a byte: the job takes about 1.5 s on the line
    printer.transport.baudrate = 9600  # what the driver expects of the line (a pty has no baud)
    printer.completion_timeout = 10.0
    outcome: list[BaseException | str] = []

    def job() -> None:
        try:
            outcome.append(printer.print_receipt(standard_receipt(60)))
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome.append(exc)

    worker = threading.Thread(target=job)
    worker.start()
    time.sleep(0.2)
    start = time.monotonic()
    emu.set_fault("paper_out")
    assert wait_until(lambda: printer.state is DeviceState.ERROR, 1.0)  # told by ASB at once
    assert time.monotonic() - start < 1.0
    worker.join(5)
    assert isinstance(outcome[0], DeviceFault) and outcome[0].partial
    assert "may have come out in part" in str(outcome[0])
    # Epson DLE DC4 fn 8: 10 14 08 01 03 14 01 06 02 08, sent once, after the job's bytes
    sent = bytes(emu.received)
    assert sent.count(bytes.fromhex("10140801031401060208")) == 1
    assert sent.index(bytes.fromhex("10140801031401060208")) > sent.index(b"Item 59")
    assert emu.buffer_clears == 1
    host.baud = None
    emu.set_fault("paper_out", False)  # paper loaded: the rest of the failed job is gone
    assert wait_until(lambda: printer.state is DeviceState.IDLE)
    time.sleep(0.1)
    assert emu.receipts == []  # nothing of the failed job prints later, unseen
    printer.print_receipt(standard_receipt(60))  # the reprint: whole, once
    assert len(emu.receipts) == 1 and len(emu.receipts[0].lines) == 61


def test_clone_that_never_answers_is_unknown_not_a_hang(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    emu.set_fault("clone_no_status")
    start = time.monotonic()
    assert printer.query_status() is None
    assert time.monotonic() - start < 3 * printer.status_timeout
    assert printer.condition is Condition.UNKNOWN
    assert printer.state is DeviceState.IDLE  # still usable, best effort
    start = time.monotonic()
    printer.print_receipt(standard_receipt())
    assert time.monotonic() - start < 1.0  # no completion awaited from a silent printer
    assert wait_until(lambda: emu.receipts and emu.receipts[-1].cut)
    health = printer.check_health(HealthLevel.INTERNAL)
    assert health.ok is False and health.condition is Condition.UNKNOWN
    emu.set_fault("clone_no_status", False)
    assert printer.query_status() is not None and printer.condition is Condition.ONLINE


def test_unplug_replug_twenty_times(printer_emulator, printer, bus) -> None:
    _, host = printer_emulator
    fds = len(os.listdir("/proc/self/fd"))
    threads = threading.active_count()
    for i in range(20):
        host.unplug()
        assert wait_until(lambda: printer.condition is Condition.NO_DEVICE), i
        assert printer.state is DeviceState.ERROR
        host.replug()
        assert wait_until(lambda: printer.condition is Condition.ONLINE), i  # ASB after init
        assert printer.state is DeviceState.IDLE
    printer.print_receipt(standard_receipt(1))
    assert printer.statistics.get("reconnects") == 20
    assert len(os.listdir("/proc/self/fd")) == fds
    assert threading.active_count() == threads
    bus.drain()


def test_reconnect_event(printer_emulator, printer, bus, caplog) -> None:
    _, host = printer_emulator
    seen: list[Reconnected] = []
    bus.subscribe(seen.append, Reconnected)
    caplog.set_level("INFO", logger="peripherals")
    host.unplug()
    host.replug()
    assert wait_until(lambda: printer.transport.reconnects == 1)
    assert wait_until(lambda: bus.drain() >= 0 and bool(seen))
    # a reconnect is logged in one line each way, never with a traceback
    assert not [r for r in caplog.records if r.exc_info]
    messages = [r.getMessage() for r in caplog.records if r.name == "peripherals.transport"]
    assert any("port lost" in m for m in messages)
    assert any("reconnected after" in m for m in messages)
    assert all("\n" not in m for m in messages)


def test_an_init_replay_that_fails_is_one_log_line(caplog) -> None:
    from peripherals.errors import DeviceUnavailable
    from peripherals.transport import Protocol, SerialTransport

    class Failing(Protocol):
        def connection_made(self, transport: SerialTransport) -> None:
            raise DeviceUnavailable("receipt: write failed (the port went again)")

    transport = SerialTransport("loop://", Failing(), name="receipt")
    caplog.set_level("INFO", logger="peripherals")
    transport.open()
    transport.close()
    records = [r for r in caplog.records if "connection_made" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is None
    assert records[0].getMessage() == "receipt: connection_made: DeviceUnavailable"


def test_welsh_native_on_latin8_profile(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    printer.print_receipt(Receipt([Line(WELSH)]))
    assert b"\x1bt\x63" + WELSH.encode("iso8859_14") + b"\n" in bytes(emu.received)
    assert emu.receipts[-1].lines[0].text == WELSH


def test_welsh_transliterated_on_cp858_profile(printer_emulator, tmp_path) -> None:
    emu, host = printer_emulator
    transliterating = replace(get_profile("default"), welsh_fallback="transliterate")
    p = ReceiptPrinter("r2", host.url, profile=transliterating, backoff=Backoff(0.01, 0.05))
    p.open()
    try:
        p.print_receipt(Receipt([Line(WELSH)]))
    finally:
        p.close()
    assert b"\x1bt\x13" + "Dwr y â ê î ô û w w w y W Y".encode("cp858") in bytes(emu.received)
    assert emu.receipts[-1].lines[0].text == "Dwr y â ê î ô û w w w y W Y"


def test_health_levels(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    internal = printer.check_health("internal")
    assert internal.ok and internal.sentence == "The receipt printer is ready."
    assert emu.receipts == []  # internal: no visible effect
    external = printer.check_health("external")
    assert external.ok and external.details["test_job"]
    assert emu.receipts[-1].lines[0].text == "TEST SLIP"
    emu.set_fault("paper_out")
    bad = printer.check_health("internal")
    assert not bad.ok and "out of paper" in bad.sentence
    assert bad.to_dict()["faults"][0]["hint"] == "clear"


def test_image_goes_out_in_bands_and_prints_whole(printer_emulator, printer) -> None:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    from peripherals.escpos.receipt import Image

    emu, _ = printer_emulator
    picture = PILImage.new("L", (200, 150), 255)
    ImageDraw.Draw(picture).rectangle((10, 10, 189, 139), fill=0)
    printer.print_receipt(Receipt([Image(picture, align="left")]))
    rasters = [e for e in emu.receipts[-1].elements if type(e).__name__ == "RasterElement"]
    assert [r.height for r in rasters] == [64, 64, 22]  # default profile band: 64 rows
    bitmap = b"".join(r.bitmap for r in rasters)
    width_bytes = rasters[0].width_bytes
    assert width_bytes == 25
    row = bitmap[50 * width_bytes : 51 * width_bytes]
    # dots 10..189 black, MSB = leftmost dot
    assert row == b"\x00\x3f" + b"\xff" * 21 + b"\xfc\x00"
    assert bitmap[:width_bytes] == bytes(width_bytes)  # first row white


def test_dle_enq_2_drops_a_held_job(printer_emulator, printer) -> None:
    emu, _ = printer_emulator
    emu.set_fault("cover_open")
    assert wait_until(lambda: printer.state is DeviceState.ERROR)
    printer.transport.write(b"held line\n" + b"\x1dV\x00")
    time.sleep(0.05)
    printer.recover(clear_buffers=True)
    assert wait_until(lambda: b"\x10\x05\x02" in bytes(emu.received))
    time.sleep(0.05)
    emu.set_fault("cover_open", False)
    assert wait_until(lambda: printer.state is DeviceState.IDLE)
    time.sleep(0.05)
    assert emu.receipts == []  # the held job was thrown away


def test_open_close_cycles_leave_no_threads_or_fds(printer_emulator) -> None:
    _, host = printer_emulator
    fds = len(os.listdir("/proc/self/fd"))
    threads = threading.active_count()
    for _ in range(10):
        p = ReceiptPrinter("cycle", host.url, profile="kiosk-emulator")
        p.open()
        assert p.state is DeviceState.IDLE
        p.close()
        assert p.state is DeviceState.CLOSED
    assert len(os.listdir("/proc/self/fd")) == fds
    assert threading.active_count() == threads
