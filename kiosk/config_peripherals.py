"""The ``[[peripherals]]`` part of kiosk.toml: which device, which driver, which port.

A port is a URL or path, so an emulator and the real device need no code change (DESIGN.md,
"Device model"): serial drivers take anything pyserial opens (``/dev/ttyUSB0``, ``COM3``,
``socket://host:port``, ``loop://``, ``rfc2217://…``, a pty path); the CUPS driver takes a queue
name or an ``ipp://`` URL. ``emulator:NAME`` is a placeholder that ``kiosk run --simulate``
replaces with the port of an emulator it starts.

USB printer-class receipt printers appear as ``/dev/usb/lpN`` (the kernel's usblp driver), not as a
tty: pyserial cannot open them, and most give no status back that way. Such a port is refused here
with what to do instead (the printer's USB virtual-serial mode → /dev/ttyACM0, a serial cable, or
socket://HOST:9100), rather than failing at every open. A USB keyboard-wedge card reader or scanner
is an input node (``/dev/input/…``), and so is a tactile navigation keypad (driver ``keypad``),
whose options map actions to kernel key codes (``up = [103, 72]``; checked here by
:func:`peripherals.keypad.key_map_problems`, one ``file:line: key: message`` per problem).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from kiosk.config_checks import Checker
from kiosk.ui.headphones import config_problems as jack_problems
from peripherals.keypad import key_map_problems

__all__ = ["DRIVERS", "PeripheralConfig", "is_emulator_port", "read_peripherals"]

DRIVERS: dict[str, str] = {
    "escpos": "receipt printer (ESC/POS over a serial port URL)",
    "cups": "document printer (CUPS queue name or ipp:// URL)",
    "magstripe": "magnetic card reader (serial, or a USB keyboard wedge at /dev/input/…)",
    "scanner": "QR/barcode scanner (serial, or a USB keyboard wedge at /dev/input/…)",
    "keypad": "tactile navigation keypad (USB HID at /dev/input/…; options: action = [key codes])",
    "headphones": "headphone jack (its switch events at /dev/input/…, or 'none'; option audio_key)",
}
SERIAL_DRIVERS = frozenset({"escpos", "magstripe", "scanner"})
_SERIAL_SCHEMES = frozenset({"socket", "loop", "rfc2217", "spy", "alt", "hwgrep"})
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_QUEUE = re.compile(r"^[A-Za-z0-9_.-]{1,127}$")
_EMULATOR = re.compile(r"^emulator:[a-z][a-z0-9-]*$")
_COM = re.compile(r"^COM[0-9]+$")
_USBLP = re.compile(r"^/dev/(usb/lp|usblp)[0-9]+$")
USBLP_REFUSED = (
    "{port} is a USB printer-class device (usblp), not a serial port: the receipt printer's status "
    "and print confirmation cannot be read through it. Switch the printer to its USB virtual-serial "
    "(CDC / VCOM) mode and use /dev/ttyACM0 (or the /dev/kiosk-printer link from "
    "deploy/99-omnikiosk.rules), a serial cable (/dev/ttyUSB0), or socket://HOST:9100"
)


@dataclass(frozen=True)
class PeripheralConfig:
    name: str
    driver: str
    port: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def emulated(self) -> bool:
        return is_emulator_port(self.port)


def is_emulator_port(port: str) -> bool:
    """True for the ``emulator:NAME`` placeholder that ``--simulate`` replaces."""
    return bool(_EMULATOR.match(port))


def _port_problem(driver: str, port: str) -> str | None:
    if driver == "headphones":
        return None  # kiosk.ui.headphones.config_problems (no emulator: a jack is not simulated)
    if _EMULATOR.match(port):
        return None
    if driver == "keypad":
        if port.startswith("/dev/input/"):
            return None
        return (
            f"expected the keypad's input node, /dev/input/by-id/…-event-kbd (or "
            f"/dev/input/eventN), got {port!r}"
        )
    if driver in SERIAL_DRIVERS:
        if _USBLP.match(port):
            return USBLP_REFUSED.format(port=port)
        if port.startswith("/") or _COM.match(port):
            return None
        scheme = port.split("://", 1)[0] if "://" in port else ""
        if scheme in _SERIAL_SCHEMES:
            if scheme in ("socket", "rfc2217"):
                parts = urlsplit(port)
                try:
                    ok = bool(parts.hostname) and parts.port is not None
                except ValueError:
                    ok = False
                if not ok:
                    return f"expected {scheme}://HOST:PORT, got {port!r}"
            return None
        return (
            f"expected a serial port path (/dev/ttyUSB0, COM3), a pyserial URL "
            f"({', '.join(sorted(s + '://' for s in _SERIAL_SCHEMES))}) or emulator:NAME, got {port!r}"
        )
    # cups
    if "://" in port:
        parts = urlsplit(port)
        if parts.scheme in ("ipp", "ipps", "http", "https") and parts.hostname:
            return None
        return f"expected ipp://HOST/printers/QUEUE (or ipps://, http://), got {port!r}"
    if _QUEUE.match(port):
        return None
    return f"expected a CUPS queue name (letters, digits, '_', '.', '-'), an ipp:// URL or emulator:NAME, got {port!r}"


def _check_options(check: Checker, options: Mapping[str, Any], path: tuple[Any, ...]) -> None:
    for key, value in options.items():
        scalar = (str, int, float, bool)
        if isinstance(value, scalar):
            continue
        if isinstance(value, list) and all(isinstance(v, scalar) for v in value):
            continue
        check.problem(path + (key,), "options must be strings, numbers, booleans or arrays of them")


def read_peripherals(check: Checker, doc: Mapping[str, Any]) -> tuple[PeripheralConfig, ...]:
    raw = doc.get("peripherals", [])
    if not isinstance(raw, list):
        check.problem(("peripherals",), "expected an array of tables ([[peripherals]] sections)")
        return ()
    found: list[PeripheralConfig] = []
    first_line: dict[str, int | None] = {}
    for i, item in enumerate(raw):
        path = ("peripherals", i)
        if not isinstance(item, dict):
            check.problem(path, "expected a table ([[peripherals]] section)")
            continue
        check.known_keys(item, path, ["name", "driver", "port", "options"])
        name = check.str_(item, path, "name")
        driver = check.str_(item, path, "driver")
        port = check.str_(item, path, "port")
        options = check.table(item, path, "options") or {}
        _check_options(check, options, path + ("options",))
        if name is not None:
            if not _NAME.match(name):
                check.problem(
                    path + ("name",),
                    f"{name!r}: use lower-case letters, digits and '-' (at most 32), starting with a letter",
                )
            elif name in first_line:
                at = first_line[name]
                check.problem(
                    path + ("name",),
                    f"duplicate peripheral name {name!r} (first used at line {at})",
                )
            else:
                first_line[name] = check.line(path + ("name",))
        if driver is not None and driver not in DRIVERS:
            hint = ", ".join(f"{k} ({v})" for k, v in DRIVERS.items())
            check.problem(path + ("driver",), f"unknown driver {driver!r}; expected one of: {hint}")
            driver = None
        if driver is not None and port is not None:
            message = _port_problem(driver, port)
            if message:
                check.problem(path + ("port",), message)
        if driver == "keypad":
            for key, message in key_map_problems(options):
                check.problem(path + ("options", key), message)
        if driver == "headphones" and port is not None:  # read by the screens' speech guide
            for key, message in jack_problems(port, options):
                check.problem(path + (("options", key) if key else ("port",)), message)
        if name and driver and port:
            found.append(PeripheralConfig(name, driver, port, dict(options)))
    return tuple(found)
