"""Fixtures: the real catalogue, a submission holding personal answers, and a receipt printer
driver talking to the emulator over a real pseudo-terminal (as tests/peripherals does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from documents_support import ARTIFACTS, PII, ROOT, FakeSubmission

from catalogue import load_catalogue_strict
from catalogue.model import Catalogue
from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.events import EventBus
from peripherals.stats import DeviceStats
from peripherals.transport import Backoff


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue_strict(ROOT / "config" / "services")


@pytest.fixture
def letter_submission():  # type: ignore[no-untyped-def]
    def make(lang: str) -> FakeSubmission:
        answers = {
            "benefit": "universal_credit",
            "period": "current",
            "delivery": "post",
            **PII,
        }
        return FakeSubmission("proof-of-benefit-letter", lang, answers)

    return make


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def printer_pair(
    artifacts: Path, tmp_path
) -> Iterator[tuple[ReceiptPrinterEmulator, ReceiptPrinter]]:  # type: ignore[no-untyped-def]
    emu = ReceiptPrinterEmulator(output_dir=tmp_path / "receipts")
    host = PtyHost(emu)
    host.start()
    bus = EventBus(threaded=False)
    p = ReceiptPrinter(
        "receipt",
        host.url,
        profile="kiosk-emulator",
        bus=bus,
        stats=DeviceStats("receipt", tmp_path),
        backoff=Backoff(base=0.01, cap=0.05),
        status_timeout=0.2,
        completion_timeout=3.0,
    )
    p.open()
    try:
        yield emu, p
    finally:
        p.close()
        bus.close()
        host.stop()
