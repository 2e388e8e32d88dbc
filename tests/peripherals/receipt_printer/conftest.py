"""Fixtures: emulated devices on real pseudo-terminals, and a printer driver connected to one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.events import EventBus
from peripherals.stats import DeviceStats
from peripherals.transport import Backoff


@pytest.fixture
def printer_emulator() -> Iterator[tuple[ReceiptPrinterEmulator, PtyHost]]:
    emu = ReceiptPrinterEmulator()
    host = PtyHost(emu)
    host.start()
    yield emu, host
    host.stop()


@pytest.fixture
def bus() -> Iterator[EventBus]:
    b = EventBus(threaded=False)
    yield b
    b.close()


@pytest.fixture
def printer(
    printer_emulator: tuple[ReceiptPrinterEmulator, PtyHost], bus: EventBus, tmp_path
) -> Iterator[ReceiptPrinter]:
    _, host = printer_emulator
    p = ReceiptPrinter(
        "receipt",
        host.url,
        profile="kiosk-emulator",
        bus=bus,
        stats=DeviceStats("receipt", tmp_path),
        backoff=Backoff(base=0.01, cap=0.05),
        status_timeout=0.2,
        completion_timeout=2.0,
    )
    p.open()
    yield p
    p.close()
