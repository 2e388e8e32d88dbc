"""Which emulators exist and which fault switches each understands.

Factories are imported lazily ("module:Class"), so listing emulators (CLI help, config checks) does
not import Pillow or qrcode. To add an emulator: one line in EMULATORS and one in FAULTS (and a ``port_prefix`` on the class when
the driver must read its pseudo-terminal as something other than a serial line).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from peripherals.emulators.pty_host import COMMON_FAULTS, EmulatedDevice, PtyHost

if TYPE_CHECKING:
    from peripherals.emulators.ipp_printer import IppHost

__all__ = [
    "COMMON_FAULTS",
    "EMULATORS",
    "FAULTS",
    "create_emulator",
    "faults_for",
    "host_for",
    "port_for_driver",
]


def _lazy(target: str) -> Callable[[], EmulatedDevice]:
    module_name, _, attr = target.partition(":")

    def factory() -> EmulatedDevice:
        cls = getattr(importlib.import_module(module_name), attr)
        return cls()

    factory.__qualname__ = factory.__name__ = f"lazy({target})"
    return factory


#: device name (as typed after `kiosk emulate`) → factory of its EmulatedDevice
EMULATORS: dict[str, Callable[[], EmulatedDevice]] = {
    "receipt-printer": _lazy("peripherals.emulators.escpos_printer:ReceiptPrinterEmulator"),
    "card-reader": _lazy("peripherals.emulators.magstripe_reader:CardReaderEmulator"),
    "scanner": _lazy("peripherals.emulators.scanner:ScannerEmulator"),
    "scanner-ssi": _lazy("peripherals.emulators.scanner:SsiScannerEmulator"),
    "scanner-wedge": _lazy("peripherals.emulators.scanner:WedgeScannerEmulator"),
    "document-printer": _lazy("peripherals.emulators.ipp_printer:DocumentPrinterEmulator"),
}

#: device name → its own fault switches (COMMON_FAULTS apply to every device as well)
FAULTS: dict[str, frozenset[str]] = {
    "receipt-printer": frozenset(
        {
            "paper_near_end",
            "paper_out",
            "cover_open",
            "cutter_error",
            "clone_no_status",
            "asb_lost",
            "no_process_id",
            "asb_reset_by_init",
            "xoff_in_replies",
        }
    ),
    "card-reader": frozenset(
        {"bad_lrc", "e_tracks", "e_track1", "no_lrc", "magtek_insert", "idtech", "hid_wedge"}
    ),
    "scanner": frozenset({"hid_wedge"}),
    "scanner-wedge": frozenset(),
    "scanner-ssi": frozenset(
        {"nak", "bad_checksum", "raw_decode", "raw_stuck", "low_power", "ack_lost"}
    ),
    "document-printer": frozenset(
        {"paper_out", "paper_low", "paper_jam", "cover_open", "queue_paused"}
    ),
}


def faults_for(device: str) -> frozenset[str]:
    """Every fault name `device` accepts (its own plus the common ones)."""
    return FAULTS.get(device, frozenset()) | COMMON_FAULTS


def create_emulator(device: str) -> EmulatedDevice:
    """A new emulator by name; KeyError for unknown names."""
    return EMULATORS[device]()


def host_for(emulator: EmulatedDevice, **pty_options: Any) -> PtyHost | IppHost:
    """What serves ``emulator``: a pseudo-terminal for serial devices, a loopback IPP server for
    the document printer (``serve_over = "ipp"``). ``pty_options`` go to :class:`PtyHost`."""
    if getattr(emulator, "serve_over", "pty") == "ipp":
        from peripherals.emulators.ipp_printer import DocumentPrinterEmulator, IppHost

        assert isinstance(emulator, DocumentPrinterEmulator)
        return IppHost(emulator)
    return PtyHost(emulator, **pty_options)


def port_for_driver(emulator: EmulatedDevice, host: PtyHost | IppHost) -> str:
    """The port a driver opens for ``emulator`` served by ``host``: the host's URL, behind the
    emulator's ``port_prefix`` when it has one (a keyboard-wedge scanner: ``wedge-pty:/dev/pts/N``,
    read as input_event records by peripherals.wedge rather than as a serial line)."""
    return getattr(emulator, "port_prefix", "") + host.url
