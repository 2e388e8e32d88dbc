"""Build a Device from configuration: driver name → factory.

The kiosk config names a driver per device ("escpos", "magstripe", "scanner", "cups"); this module is
the one place that maps those names to code. Factories are imported lazily so that a kiosk without
a CUPS printer never imports the CUPS code.

A factory is called as `factory(name=, port=, options=, stats=, bus=)` and returns an unopened Device;
open_device() then opens it. Unknown drivers and bad options raise ConfigurationError.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from peripherals.errors import ConfigurationError
from peripherals.events import EventBus
from peripherals.model import Device
from peripherals.stats import DeviceStats

__all__ = ["DRIVERS", "DeviceFactory", "create_device", "open_device"]


class DeviceFactory(Protocol):
    def __call__(
        self,
        *,
        name: str,
        port: str,
        options: Mapping[str, Any],
        stats: DeviceStats,
        bus: EventBus | None,
    ) -> Device: ...


#: driver name → "module:callable" of its factory (see module docstring for the call signature)
DRIVERS: dict[str, str] = {
    "escpos": "peripherals.escpos.printer:create",
    "magstripe": "peripherals.magstripe.driver:create",
    "scanner": "peripherals.scanner.driver:create",
    "cups": "peripherals.cups.driver:create",
}


def _load(driver: str) -> Callable[..., Device]:
    target = DRIVERS.get(driver)
    if target is None:
        raise ConfigurationError(
            f"unknown device driver {driver!r}; known: {', '.join(sorted(DRIVERS))}"
        )
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def create_device(
    driver: str,
    name: str,
    port: str,
    options: Mapping[str, Any] | None,
    data_dir: Path | str | None,
    bus: EventBus | None,
) -> Device:
    """The Device for this configuration, not yet opened (statistics kept in `data_dir`)."""
    factory = _load(driver)
    stats = DeviceStats(name, data_dir)
    try:
        return factory(name=name, port=port, options=dict(options or {}), stats=stats, bus=bus)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"device {name!r} ({driver}): bad options: {exc}") from exc


def open_device(
    driver: str,
    name: str,
    port: str,
    options: Mapping[str, Any] | None,
    data_dir: Path | str | None,
    bus: EventBus | None,
) -> Device:
    """create_device() then open(); an absent device still opens (state ERROR, no_device)."""
    device = create_device(driver, name, port, options, data_dir, bus)
    device.open()
    return device
