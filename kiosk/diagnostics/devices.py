"""The device lines of a diagnosis: a configured device opened just for the check, or one the
running app already holds.

Why both: ``kiosk diagnose`` runs on a kiosk whose app may be stopped (or wedged), so it opens
each device itself, asks it, and closes it again; the app's own diagnostics (the technician's
screen, the readiness report it makes, central's remote command) must not open a port the app
holds a second time, so they ask the open device. Either way the answer becomes a line through
:func:`kiosk.diagnostics.checks.device_health`, the one translation of a health result.

Failure model: an absent device opens too (state error, condition no_device), so one broken cable
never hides the others; an open that fails (:class:`PeripheralError`) is a ``fault`` line; an
``emulator:`` placeholder port is a ``fault`` that says how to configure the real one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.diagnostics.checks import Check, device_health
from peripherals.conditions import HealthLevel
from peripherals.errors import PeripheralError
from peripherals.model import Device
from peripherals.registry import create_device

__all__ = ["SETTLE_S", "check_configured_device", "check_live_device", "is_placeholder", "opened"]

#: How long a freshly opened serial device gets to say what it is (first status, connection).
SETTLE_S = 0.3


def is_placeholder(port: str) -> bool:
    """``emulator:…``: a port only ``kiosk run --simulate`` fills in."""
    return port.startswith("emulator:")


@contextmanager
def opened(
    peripheral: Any, data_dir: Path, *, sleep: Callable[[float], None] = time.sleep
) -> Iterator[Device]:
    """The configured ``peripheral`` opened for as long as the block runs (statistics are kept in
    ``<data_dir>/devices``, where the kiosk app keeps them)."""
    device = create_device(
        peripheral.driver,
        peripheral.name,
        peripheral.port,
        peripheral.options,
        Path(data_dir) / "devices",
        None,
    )
    try:
        device.open()
        sleep(SETTLE_S)
        yield device
    finally:
        device.close()


def check_configured_device(peripheral: Any, data_dir: Path, level: HealthLevel) -> Check:
    """Open ``peripheral`` (a kiosk.toml ``[[peripherals]]`` entry), check it, close it."""
    kind = f"device ({peripheral.driver})"
    if is_placeholder(peripheral.port):
        return Check(
            peripheral.name,
            kind,
            "fault",
            f"{peripheral.name}: port is the placeholder {peripheral.port!r}; "
            "configure the real port (or use kiosk run --simulate).",
        )
    try:
        with opened(peripheral, data_dir) as device:
            return device_health(peripheral.name, kind, device, level)
    except PeripheralError as exc:
        return Check(peripheral.name, kind, "fault", f"{peripheral.name}: {exc}")


def check_live_device(name: str, driver: str, device: Device | None, level: HealthLevel) -> Check:
    """The line for a device the running app holds (None: the app could not start it)."""
    kind = f"device ({driver})"
    if device is None:
        return Check(name, kind, "fault", f"{name}: the kiosk app could not start this device.")
    return device_health(name, kind, device, level)
