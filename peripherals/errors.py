"""Exceptions raised by the peripheral layer.

Callers (the kiosk runtime) catch these and nothing else: pyserial, OSError and termios errors are
translated at the transport edge, so no third-party exception escapes a driver.

    PeripheralError                      base of everything below
    ├── ConfigurationError               unknown driver, bad option, bad port URL
    ├── IllegalStateTransition           a Device state change the model forbids (a bug, not a fault)
    ├── DeviceClosed                     an operation on a device that is not open
    ├── DeviceUnavailable                the device cannot be reached; .condition is no_device/offline
    ├── DeviceTimeout                    a reply or a write did not finish before its deadline
    ├── DeviceFault                      the device reports a fault; .faults lists them (paper out…)
    └── ProtocolError                    bytes that break the protocol (bad frame, bad checksum)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from peripherals.conditions import Condition, Fault

__all__ = [
    "ConfigurationError",
    "DeviceClosed",
    "DeviceFault",
    "DeviceTimeout",
    "DeviceUnavailable",
    "IllegalStateTransition",
    "PeripheralError",
    "ProtocolError",
]


class PeripheralError(Exception):
    """Base of every error the peripheral layer raises."""


class ConfigurationError(PeripheralError):
    """The device configuration is wrong (unknown driver, bad option value, bad URL)."""


class IllegalStateTransition(PeripheralError):
    """A device tried a state change the model forbids (e.g. CLOSED → BUSY)."""


class DeviceClosed(PeripheralError):
    """The device is not open (call open() first, or it was closed)."""


class DeviceUnavailable(PeripheralError):
    """The device cannot be reached right now.

    `condition` says why (normally Condition.NO_DEVICE when unplugged, Condition.OFFLINE when it
    answers but refuses work). The transport keeps trying to reconnect in the background.
    """

    def __init__(self, message: str, condition: Condition | None = None) -> None:
        super().__init__(message)
        self.condition = condition


class DeviceTimeout(PeripheralError):
    """A reply did not arrive, or a write did not drain, before its deadline."""


class DeviceFault(PeripheralError):
    """The device reported one or more faults (paper out, cover open, cutter error…).

    `partial` is True when the fault came in the middle of an output job: part of it may have come
    out, and the rest was cancelled in the device (it will not appear later). Tell the person so, and
    reprint the whole job once the fault is fixed.
    """

    def __init__(
        self, message: str, faults: Sequence[Fault] = (), *, partial: bool = False
    ) -> None:
        super().__init__(message)
        self.faults = tuple(faults)
        self.partial = partial


class ProtocolError(PeripheralError):
    """Bytes from the device that do not follow its protocol."""
