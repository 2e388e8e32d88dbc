"""Status changes that must never be lost or undone, over real pseudo-terminals.

Each test forces one interleaving deterministically (hooks wait for the other thread instead of
sleeping and hoping):
* an automatic status block (ASB) split by a request that times out: the first half was held by the
  request's matcher, the second half is read by the reader thread while the requester hands the
  first half over — it must not overtake it (the block would be split into noise and lost);
* a status query overtaken by an ASB: the query's older answer must not undo the newer block;
* a pause of the emulator's process while it sends a block (a long garbage collection in a full
  test run): it may cost time, never the block;
* fault, clear, fault back to back: three blocks, three events — nothing coalesces them.
"""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Iterator

import pytest
from pty_helpers import wait_until

from peripherals.emulators import pty_host
from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import EmulatedDevice, PtyHost
from peripherals.errors import DeviceTimeout
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.status import expect_realtime
from peripherals.events import EventBus, FaultCleared, FaultRaised
from peripherals.stats import DeviceStats
from peripherals.transport import Protocol, SerialTransport

ASB_PAPER_OUT = b"\x18\x00\x0f\x00"


class HalfBlockPrinter(EmulatedDevice):
    """Answers DLE EOT with 'online, paper ok' — until armed: then the next DLE EOT gets no reply,
    only the first half of a paper-out ASB block (the printer is busy sending it)."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def on_bytes(self, data: bytes) -> None:
        for _ in range(data.count(b"\x10\x04")):
            if self.armed:
                self.armed = False
                self.send(ASB_PAPER_OUT[:2])
            else:
                self.send(b"\x12")


@pytest.fixture
def half_block() -> Iterator[tuple[HalfBlockPrinter, PtyHost]]:
    device = HalfBlockPrinter()
    host = PtyHost(device)
    host.start()
    yield device, host
    host.stop()


def _second_half_during_handover(
    transport: SerialTransport, device: EmulatedDevice
) -> threading.Event:
    """Hook: when the timed-out request hands its leftover over, the printer sends the rest of the
    block and the reader thread is given every chance to deliver it first."""
    reader_has_it = threading.Event()
    dispatch, call = transport._dispatch, transport._call

    def spy_dispatch(data: bytes) -> None:
        reader_has_it.set()
        dispatch(data)

    def handover(fn, *args):  # type: ignore[no-untyped-def]
        if threading.current_thread() is not transport._thread and args == (ASB_PAPER_OUT[:2],):
            device.send(ASB_PAPER_OUT[2:])
            assert reader_has_it.wait(2.0), "the reader never read the second half"
            time.sleep(0.2)  # an unordered reader delivers the second half now
        call(fn, *args)

    transport._dispatch = spy_dispatch  # type: ignore[method-assign]
    transport._call = handover  # type: ignore[method-assign]
    return reader_has_it


class Recorder(Protocol):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)


def test_a_timed_out_requests_leftover_reaches_the_protocol_before_what_follows_it(half_block):
    device, host = half_block
    recorder = Recorder()
    transport = SerialTransport(host.url, recorder, reconnect=False)
    transport.open()
    try:
        assert transport.request(b"\x10\x04\x01", expect_realtime, 1.0) == b"\x12"
        device.armed = True
        _second_half_during_handover(transport, device)
        with pytest.raises(DeviceTimeout):
            transport.request(b"\x10\x04\x01", expect_realtime, 0.2)
        assert wait_until(lambda: b"".join(recorder.chunks) == ASB_PAPER_OUT)
        assert recorder.chunks == [ASB_PAPER_OUT[:2], ASB_PAPER_OUT[2:]]
    finally:
        transport.close()


def test_a_status_block_split_by_a_timed_out_query_still_raises_paper_out(half_block, tmp_path):
    device, host = half_block
    printer = ReceiptPrinter(
        "receipt",
        host.url,
        profile="kiosk-emulator",
        bus=EventBus(threaded=False),
        stats=DeviceStats("receipt", tmp_path),
        status_timeout=0.2,
        status_poll=0,  # nothing but the ASB block may bring the news
    )
    printer.open()
    try:
        assert printer.faults == ()
        device.armed = True
        _second_half_during_handover(printer.transport, device)
        assert printer.query_status() is None  # the query itself got no reply
        assert wait_until(lambda: "paper_out" in {f.code for f in printer.faults}), printer.faults
    finally:
        printer.close()


@pytest.fixture
def emulator() -> Iterator[tuple[ReceiptPrinterEmulator, PtyHost]]:
    emu = ReceiptPrinterEmulator()
    host = PtyHost(emu)
    host.start()
    yield emu, host
    host.stop()


def _printer(url: str, tmp_path, **options: float) -> ReceiptPrinter:
    p = ReceiptPrinter(
        "receipt",
        url,
        profile="kiosk-emulator",
        bus=EventBus(threaded=False),
        stats=DeviceStats("receipt", tmp_path),
        status_timeout=0.5,
        **options,
    )
    p.open()
    return p


def _codes(printer: ReceiptPrinter) -> set[str]:
    return {f.code for f in printer.faults}


def test_a_query_overtaken_by_an_automatic_status_does_not_bring_the_old_state_back(
    emulator, tmp_path
):
    emu, host = emulator
    printer = _printer(host.url, tmp_path, status_poll=0)
    try:
        host.set_fault("paper_out", True)
        assert wait_until(lambda: _codes(printer) == {"paper_out"})
        ask = printer._ask

        def paper_loaded_after_the_reply(n: int) -> int | None:
            value = ask(n)  # the printer's answer: still out of paper …
            if n == 4:  # … then staff load paper; its ASB block is applied at once
                host.set_fault("paper_out", False)
                assert wait_until(lambda: _codes(printer) == set()), printer.faults
            return value

        printer._ask = paper_loaded_after_the_reply  # type: ignore[method-assign]
        status = printer.query_status()
        assert status is not None and status.paper_end  # what the printer said back then
        assert printer.faults == ()  # not applied over the newer block
        printer._ask = ask  # type: ignore[method-assign]
        assert printer.query_status() is not None and printer.faults == ()
    finally:
        printer.close()


def test_a_pause_while_the_emulator_sends_costs_time_not_the_status_block(
    emulator, tmp_path, monkeypatch
):
    emu, host = emulator
    printer = _printer(host.url, tmp_path, status_poll=0)
    try:
        real = time.monotonic
        pauses = [0.0]

        def paused_clock() -> float:
            pauses[0] += 2.0  # the process stood still for 2 s (a long full GC) at every look
            return real() + pauses[0]

        monkeypatch.setattr(
            pty_host, "time", types.SimpleNamespace(monotonic=paused_clock, sleep=time.sleep)
        )
        host.set_fault("paper_out", True)
        monkeypatch.undo()
        assert wait_until(lambda: _codes(printer) == {"paper_out"}), printer.faults
    finally:
        printer.close()


def test_fault_clear_fault_in_quick_succession_is_told_three_times(emulator, tmp_path):
    emu, host = emulator
    bus = EventBus(threaded=False)
    told: list[tuple[str, str]] = []
    bus.subscribe(lambda e: told.append((type(e).__name__, e.fault.code)), FaultRaised)
    bus.subscribe(lambda e: told.append((type(e).__name__, e.fault.code)), FaultCleared)
    printer = ReceiptPrinter(
        "receipt", host.url, profile="kiosk-emulator", bus=bus, status_poll=0,
        stats=DeviceStats("receipt", tmp_path),
    )  # fmt: skip
    printer.open()
    try:
        for on in (True, False, True):  # three blocks back to back, nothing waits in between
            host.set_fault("paper_out", on)
        assert wait_until(lambda: bus.drain() >= 0 and len(told) >= 3)
        assert told == [
            ("FaultRaised", "paper_out"),
            ("FaultCleared", "paper_out"),
            ("FaultRaised", "paper_out"),
        ]
        assert _codes(printer) == {"paper_out"}
    finally:
        printer.close()
