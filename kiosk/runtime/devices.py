"""The kiosk's devices for the life of the app: opened once, watched, closed at the end.

Why a hub: the app, the diagnostics screen, the fleet heartbeat and the document printing all need
the same open devices, and one broken cable must never stop the others from opening. With
``simulate=True`` every ``emulator:NAME`` placeholder of kiosk.toml gets an emulator behind a real
pseudo-terminal in this process (the same bytes as hardware), so the app, the demo and the tests
run the whole stack without hardware (``emulator:scanner-wedge`` too: a USB keyboard-wedge scanner
whose keystrokes the scanner driver reads as from a grabbed input node); the emulators stay reachable (``emulator(name)``) so a test
or a demo can swipe a card, scan a code or pull the printer's paper.

A device that cannot be opened stays listed with the reason; it is never a crash.

A tactile keypad (driver "keypad") is no Device: it has no status to keep, only keys. The hub
opens its :class:`peripherals.keypad.KeypadReader` (grabbed evdev node, reopened after unplug)
and publishes each key as a :class:`peripherals.keypad.KeypadPressed` on the same bus; the app
takes them onto the Kivy main thread (``screens.focus.wire_keypad``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig
from kiosk.config_peripherals import PeripheralConfig
from peripherals.emulators.ipp_printer import IppHost
from peripherals.emulators.pty_host import EmulatedDevice, PtyHost
from peripherals.emulators.registry import EMULATORS, create_emulator, host_for, port_for_driver
from peripherals.errors import PeripheralError
from peripherals.events import DeviceEvent, EventBus
from peripherals.keypad import KeypadPressed, KeypadReader
from peripherals.model import Device
from peripherals.registry import create_device

__all__ = ["DeviceHub", "Unavailable"]

log = logging.getLogger(__name__)

#: kiosk.toml driver name → what the technician and the fleet view call that kind of device
KINDS = {
    "escpos": "receipt_printer",
    "cups": "document_printer",
    "magstripe": "card_reader",
    "scanner": "scanner",
    "keypad": "keypad",
}


@dataclass(frozen=True)
class Unavailable:
    """A configured device the hub could not give the app, and why (for people, no traceback)."""

    name: str
    driver: str
    reason: str


class DeviceHub:
    """Opens the configured devices (starting emulators first when simulating)."""

    def __init__(
        self,
        config: KioskConfig,
        *,
        simulate: bool = False,
        bus: EventBus | None = None,
        emulator_output: Path | None = None,
        keypad_opener: Callable[[str], int] | None = None,
    ) -> None:
        self.config = config
        self.simulate = simulate
        self.bus = bus if bus is not None else EventBus(name="kiosk-devices")
        self._own_bus = bus is None
        self.emulator_output = emulator_output
        self._devices: dict[str, Device] = {}
        self._hosts: dict[str, PtyHost | IppHost] = {}
        self._keypads: dict[str, KeypadReader] = {}
        self._keypad_opener = keypad_opener
        """How a keypad's node is opened (default: open and EVIOCGRAB; tests give a pipe)."""
        self.unavailable: dict[str, Unavailable] = {}

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> DeviceHub:
        for peripheral in self.config.peripherals:
            port = self._port_for(peripheral)
            if port is None:
                continue
            if peripheral.driver == "keypad":
                self._open_keypad(peripheral, port)
                continue
            if peripheral.driver == "headphones":
                continue  # the jack is read by the screens (screens.speech_guide), not a Device
            try:
                device = create_device(
                    peripheral.driver,
                    peripheral.name,
                    port,
                    self._options(peripheral),
                    self.config.data_dir / "devices",
                    self.bus,
                )
                device.open()
            except PeripheralError as exc:
                self._mark(peripheral, f"could not be opened: {exc}")
                continue
            self._devices[peripheral.name] = device
        return self

    def _open_keypad(self, peripheral: PeripheralConfig, port: str) -> None:
        name = peripheral.name

        def publish(action: str, value: int) -> None:  # on the keypad's reader thread
            self.bus.publish(KeypadPressed(name, action, value))

        extra = {"opener": self._keypad_opener} if self._keypad_opener is not None else {}
        try:
            reader = KeypadReader(port, publish, name=name, keys=peripheral.options, **extra)
        except PeripheralError as exc:
            self._mark(peripheral, f"could not be opened: {exc}")
            return
        reader.open()  # not there yet: retried in the background, and said so in the log
        self._keypads[name] = reader

    def keypad(self, name: str) -> KeypadReader | None:
        return self._keypads.get(name)

    def _options(self, peripheral: PeripheralConfig) -> dict[str, Any]:
        """The peripheral's options; a card reader also gets the ``[badges]`` prefixes of the
        config unless its own options name some (so badges are recognised at the driver)."""
        options = dict(peripheral.options)
        if peripheral.driver == "magstripe":
            badges = self.config.badges
            options.setdefault("staff_prefixes", list(badges.staff_prefixes))
            options.setdefault("technician_prefixes", list(badges.technician_prefixes))
        return options

    def close(self) -> None:
        for device in self._devices.values():
            try:
                device.close()
            except PeripheralError as exc:  # closing must go on for the others
                log.warning("closing %s: %s", device.name, exc)
        self._devices.clear()
        for reader in self._keypads.values():
            reader.close()
        self._keypads.clear()
        for host in self._hosts.values():
            host.stop()
        self._hosts.clear()
        if self._own_bus:
            self.bus.close()

    def __enter__(self) -> DeviceHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- access
    def device(self, name: str) -> Device | None:
        return self._devices.get(name)

    def by_driver(self, driver: str) -> Device | None:
        """The first open device with this driver ("escpos", "cups", "magstripe", "scanner")."""
        for peripheral in self.config.peripherals:
            if peripheral.driver == driver and peripheral.name in self._devices:
                return self._devices[peripheral.name]
        return None

    def emulator(self, name: str) -> EmulatedDevice | None:
        """The in-process emulator serving device `name` (only when simulating)."""
        host = self._hosts.get(name)
        return host.device if host is not None else None

    def emulator_port(self, name: str) -> str | None:
        host = self._hosts.get(name)
        return host.url if host is not None else None

    def subscribe(self, callback: Callable[[Any], None], event_type: type = DeviceEvent):  # type: ignore[no-untyped-def]
        return self.bus.subscribe(callback, event_type)

    def states(self) -> dict[str, dict[str, Any]]:
        """Every configured device's snapshot, for the heartbeat and the technician screen."""
        out: dict[str, dict[str, Any]] = {}
        for peripheral in self.config.peripherals:
            device = self._devices.get(peripheral.name)
            keypad = self._keypads.get(peripheral.name)
            if keypad is not None:
                out[peripheral.name] = {
                    "name": peripheral.name, "driver": "keypad", "kind": "keypad",
                    "state": "idle" if keypad.connected else "closed",
                    "condition": "online" if keypad.connected else "no_device",
                    "faults": [], "reconnects": keypad.reconnects,
                }  # fmt: skip
            elif device is not None:
                snap = device.status()
                snap["kind"] = KINDS.get(peripheral.driver, peripheral.driver)
                out[peripheral.name] = snap
            else:
                gone = self.unavailable.get(peripheral.name)
                out[peripheral.name] = {
                    "name": peripheral.name,
                    "driver": peripheral.driver,
                    "kind": KINDS.get(peripheral.driver, peripheral.driver),
                    "state": "closed",
                    "condition": "no_device",
                    "faults": [],
                    "note": gone.reason if gone else "not opened",
                }
        return out

    # ---------------------------------------------------------------- internals
    def _mark(self, peripheral: PeripheralConfig, reason: str) -> None:
        self.unavailable[peripheral.name] = Unavailable(peripheral.name, peripheral.driver, reason)
        log.warning("device %s (%s) %s", peripheral.name, peripheral.driver, reason)

    def _port_for(self, peripheral: PeripheralConfig) -> str | None:
        if not peripheral.emulated:
            return peripheral.port
        name = peripheral.port.split(":", 1)[1]
        if not self.simulate:
            self._mark(peripheral, f"is the placeholder {peripheral.port!r}: start with --simulate")
            return None
        if name not in EMULATORS:
            self._mark(peripheral, f"has no emulator ({name!r}); only {', '.join(EMULATORS)}")
            return None
        emulator = create_emulator(name)
        if self.emulator_output is not None and hasattr(emulator, "output_dir"):
            emulator.output_dir = self.emulator_output
        host = host_for(emulator)
        host.start()
        self._hosts[peripheral.name] = host
        return port_for_driver(emulator, host)  # a wedge scanner's: wedge-pty:<pty>
