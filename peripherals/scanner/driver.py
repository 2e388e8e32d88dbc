"""The scanner Device: decoded codes as CodeScanned events; enable, disable, beep.

Two modes (option `mode`):
* "line" (default): the scanner sends each code followed by CR or CR LF and takes no commands.
  enable()/disable() only gate events in the driver; beep() raises NotSupported.
* "ssi": Zebra SSI. Decoded codes arrive as DECODE_DATA packets, which the driver ACKs (or NAKs
  with "resend" when the checksum is wrong — the scanner then sends them again). enable(),
  disable() and beep() are commands the scanner must ACK within `command_timeout`; a NAK raises
  DeviceFault, silence raises DeviceTimeout and marks the scanner offline until it answers again.

Why codes are never logged: a scanned code may be a handoff secret (DESIGN.md, privacy).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from peripherals.conditions import ActionHint, Condition, Fault, HealthLevel, HealthResult
from peripherals.errors import (
    DeviceClosed,
    DeviceFault,
    DeviceTimeout,
    PeripheralError,
)
from peripherals.events import CodeScanned, EventBus, ReadError
from peripherals.model import Device, DeviceState
from peripherals.scanner import ssi
from peripherals.scanner.lines import LineSplitter
from peripherals.stats import DeviceStats
from peripherals.transport import Protocol, SerialTransport

__all__ = ["NotSupported", "Scanner", "create"]

NO_DEVICE = Fault(
    "no_device",
    Condition.NO_DEVICE,
    ActionHint.RESET,
    "The scanner is not connected; reconnecting.",
)
NOT_RESPONDING = Fault(
    "not_responding", Condition.OFFLINE, ActionHint.RESET, "The scanner does not answer commands."
)


class NotSupported(PeripheralError):
    """The scanner's mode cannot do this (beep needs SSI mode)."""


class _ScannerProtocol(Protocol):
    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner

    def connection_made(self, transport: SerialTransport) -> None:
        self.scanner._on_connected(transport)

    def data_received(self, data: bytes) -> None:
        self.scanner._on_bytes(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.scanner._report(Condition.NO_DEVICE, (NO_DEVICE,), "unplugged")


def _expect_reply(buf: bytes) -> int | None:
    """transport.request() matcher: the first ACK/NAK packet; other packets pass through."""
    if not buf:
        return None
    if buf[0] < 4:
        return -1
    total = ssi.packet_length(buf)
    if total is None:
        return None
    return total if buf[1] in (ssi.ACK, ssi.NAK) else -total


class Scanner(Device):
    driver = "scanner"

    def __init__(
        self,
        name: str,
        port: str,
        *,
        mode: str = "line",
        bus: EventBus | None = None,
        stats: DeviceStats | None = None,
        baudrate: int = 9600,
        command_timeout: float = 1.0,
        packet_deadline: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        transport_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(name, bus=bus, stats=stats)
        if mode not in ("line", "ssi"):
            raise ValueError(f"mode must be 'line' or 'ssi', not {mode!r}")
        self.port = port
        self.mode = mode
        self.command_timeout = command_timeout
        self._clock = clock
        self._enabled = True
        self.ignored = 0  # codes dropped while disabled (not persisted)
        self._lines = LineSplitter()
        self._packet_deadline = packet_deadline
        self._packets = ssi.PacketDecoder(packet_deadline)
        self._partial = b""  # data of a multi-packet decode so far
        self._cmd_lock = threading.Lock()
        # SSI has no request ids: the ACK of the init replayed on (re)connect must be consumed before
        # a command is sent, or the command would take that ACK for its own.
        self._init_acked = threading.Event()
        self._init_acked.set()
        self._transport = SerialTransport(
            port,
            _ScannerProtocol(self),
            name=name,
            baudrate=baudrate,
            stats=self.statistics,
            **dict(transport_options or {}),
        )

    @property
    def transport(self) -> SerialTransport:
        return self._transport

    @property
    def enabled(self) -> bool:
        return self._enabled

    # ---------------------------------------------------------------- commands
    def enable(self) -> None:
        self._enabled = True
        if self.mode == "ssi":
            self._command(ssi.SCAN_ENABLE)

    def disable(self) -> None:
        self._enabled = False
        if self.mode == "ssi":
            self._command(ssi.SCAN_DISABLE)

    def beep(self, code: int = 0) -> None:
        """One of the scanner's beep patterns (0 = one short high beep)."""
        if self.mode != "ssi":
            raise NotSupported(f"{self.name}: beep needs SSI mode (the scanner is in line mode)")
        self._command(ssi.BEEP, bytes([code & 0xFF]))

    def _command(self, opcode: int, data: bytes = b"") -> None:
        if self.state is DeviceState.CLOSED:
            raise DeviceClosed(f"{self.name} is not open")
        with self._cmd_lock:
            self._init_acked.wait(self.command_timeout)
            self._init_acked.set()
            for attempt in range(2):
                try:
                    reply = self._transport.request(
                        ssi.encode(opcode, data), _expect_reply, self.command_timeout
                    )
                except DeviceTimeout:
                    if self._transport.connected:
                        self._report(Condition.OFFLINE, (NOT_RESPONDING,), "no ACK")
                    raise
                packet = ssi.PacketDecoder().feed(reply)[0]
                if packet.valid and packet.opcode == ssi.ACK:
                    if self.condition is not Condition.ONLINE:
                        self._report(Condition.ONLINE, (), "answered")
                    return
                cause = packet.data[0] if packet.data else None
                if attempt == 0 and (not packet.valid or cause == ssi.NAK_RESEND):
                    continue
                if self.condition is not Condition.ONLINE:  # it answers, so it is there
                    self._report(Condition.ONLINE, (), "answered")
                raise DeviceFault(
                    f"{self.name}: the scanner refused command 0x{opcode:02X} (NAK {cause})"
                )

    # ---------------------------------------------------------------- Device
    def _open(self) -> None:
        if not self._transport.open():
            self._report(Condition.NO_DEVICE, (NO_DEVICE,), "port not available")

    def _close(self) -> None:
        self._transport.close()

    def _check_health(self, level: HealthLevel) -> HealthResult:
        details: dict[str, Any] = {"port": self.port, "mode": self.mode, "enabled": self._enabled}
        if not self._transport.connected:
            return HealthResult(
                self.name,
                level,
                False,
                self.condition,
                self.faults,
                f"{self.name}: the scanner is not connected.",
                details,
            )
        if self.mode == "ssi":
            try:
                if level >= HealthLevel.EXTERNAL:
                    self.beep()
                else:  # no visible effect: repeat the current enable state
                    self._command(ssi.SCAN_ENABLE if self._enabled else ssi.SCAN_DISABLE)
            except PeripheralError as exc:
                return HealthResult(
                    self.name,
                    level,
                    False,
                    self.condition,
                    self.faults,
                    f"{self.name}: the scanner does not answer ({exc}).",
                    details,
                )
            sentence = f"{self.name}: scanner answers" + (" and beeped." if level >= 2 else ".")
        else:
            sentence = f"{self.name}: scanner connected (line mode: no commands to test)."
        ok = self.condition is Condition.ONLINE
        return HealthResult(self.name, level, ok, self.condition, self.faults, sentence, details)

    # ---------------------------------------------------------------- reader thread
    def _on_connected(self, transport: SerialTransport) -> None:
        self._lines = LineSplitter()
        self._packets = ssi.PacketDecoder(self._packet_deadline)
        self._partial = b""
        self._report(Condition.ONLINE, (), "connected")
        if self.mode == "ssi":  # replay init (write only: we are on the reader thread)
            self._init_acked.clear()
            transport.write(ssi.encode(ssi.SCAN_ENABLE if self._enabled else ssi.SCAN_DISABLE))

    def _on_bytes(self, data: bytes) -> None:
        if self.mode == "line":
            for line in self._lines.feed(data):
                if line.error is not None:
                    self._read_error(line.error)
                elif line.text:
                    self._code(line.text, None)
            return
        for packet in self._packets.feed(data, self._clock()):
            self._on_packet(packet)

    def _on_packet(self, packet: ssi.Packet) -> None:
        if packet.opcode != ssi.DECODE_DATA:
            self._init_acked.set()  # the ACK/NAK of the init replay
            return
        if not packet.valid:
            self.statistics.increment("read_errors")
            self._log.info("decode packet with a bad checksum: asking for it again")
            self._transport.write(ssi.encode(ssi.NAK, bytes([ssi.NAK_RESEND])))
            return
        self._transport.write(ssi.encode(ssi.ACK))
        if not packet.data:
            self._read_error("empty decode packet")
            return
        self._partial += packet.data[1:]
        if packet.continued:
            return
        raw, self._partial = self._partial, b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._read_error("unreadable characters in the code")
            return
        kind = packet.data[0]
        self._code(text, ssi.SYMBOLOGIES.get(kind, f"0x{kind:02x}"))

    def _code(self, text: str, symbology: str | None) -> None:
        if not self._enabled:
            self.ignored += 1
            self._log.debug("code ignored: scanning disabled")
            return
        self.statistics.increment("scans")
        self._log.info("code scanned (%d characters)", len(text))
        self._publish(CodeScanned(self.name, text, symbology))

    def _read_error(self, reason: str) -> None:
        self.statistics.increment("read_errors")
        self._log.info("read error: %s", reason)
        self._publish(ReadError(self.name, reason))


_OPTIONS = {"mode", "baud", "baudrate", "command_timeout", "suffix"}
SUFFIXES = {"CR", "LF", "CRLF"}


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> Scanner:
    """Registry factory ("scanner"). Options: mode ("line" | "ssi"), baud (default 9600),
    command_timeout (s, default 1.0), suffix (line mode: "CR", "LF" or "CRLF" — all three are
    understood whatever is set; the option documents the scanner's setting and is checked).
    Unknown options raise ValueError (→ ConfigurationError)."""
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))}")
    suffix = str(options.get("suffix", "CR")).upper().replace(" ", "")
    if suffix not in SUFFIXES:
        raise ValueError(f"suffix must be CR, LF or CRLF, not {options['suffix']!r}")
    return Scanner(
        name,
        port,
        mode=str(options.get("mode", "line")),
        bus=bus,
        stats=stats,
        baudrate=int(options.get("baud", options.get("baudrate", 9600))),
        command_timeout=float(options.get("command_timeout", 1.0)),
    )
