"""The scanner Device: decoded codes as CodeScanned events; enable, disable, beep.

Two modes (option `mode`):
* "line" (default): the scanner sends each code followed by CR or CR LF and takes no commands.
  enable()/disable() only gate events in the driver; beep() raises NotSupported. Characters more
  than `char_gap` apart are not one code (a stray byte is a read error, not the start of the next
  code); GS is kept (GS1 separator); an AIM identifier (``]Q1``…) names the symbology and is taken
  off the code (option aim_ids, default on).
* "ssi": Zebra SSI. At (re)connect the driver sets the decode-data format to packeted (PARAM_SEND,
  parameter EE = 01): a scanner left in raw format would send bare codes. Decoded codes arrive as
  DECODE_DATA packets, which the driver ACKs (or NAKs with "resend" when the checksum is wrong —
  the scanner then sends them again). A packet sent again with the retransmit bit after our ACK was
  lost is ACKed again but is not a second scan. Bytes outside any packet (raw decode data that
  comes anyway, noise) are a read error, counted — never dropped silently. enable(), disable() and
  beep() are commands the scanner must ACK within `command_timeout`; an unanswered command is sent
  once more with the retransmit bit (a scanner waking from low power loses the first characters it
  gets), a NAK raises DeviceFault, silence twice raises DeviceTimeout and marks the scanner offline
  until it answers again. The reply matcher resynchronises on noise as the packet decoder does.

Why codes are never logged: a scanned code may be a handoff secret (DESIGN.md, privacy).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import peripherals.scanner.ssi as ssi
from peripherals.conditions import ActionHint, Condition, Fault, HealthLevel, HealthResult
from peripherals.errors import (
    DeviceClosed,
    DeviceFault,
    DeviceTimeout,
    PeripheralError,
)
from peripherals.events import CodeScanned, EventBus, ReadError
from peripherals.model import Device, DeviceState
from peripherals.scanner.lines import LineSplitter, parse_aim
from peripherals.stats import DeviceStats
from peripherals.transport import Protocol, SerialTransport, pop_flow_control
from peripherals.wedge.keyboard import KeyboardTransport, is_evdev_port

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
    """transport.request() matcher: the first ACK/NAK packet; other packets pass through, and a
    byte no packet can start with (length < 4, unknown opcode) is skipped, as the decoder does."""
    if not buf:
        return None
    if not ssi.is_packet_start(buf):
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
        char_gap: float = 0.1,
        aim_ids: bool = True,
        clock: Callable[[], float] = time.monotonic,
        transport_options: Mapping[str, Any] | None = None,
        transport_factory: Callable[..., Any] | None = None,
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
        self.char_gap = char_gap
        self.aim_ids = aim_ids
        self._lines = LineSplitter(gap=char_gap)
        self._packet_deadline = packet_deadline
        self._packets = ssi.PacketDecoder(packet_deadline)
        self._partial = b""  # data of a multi-packet decode so far
        self._last_decode: bytes | None = None  # the last decode packet ACKed (without status)
        self._dropping = False  # the last bytes read were not packets: one read error per run
        self._cmd_lock = threading.Lock()
        # SSI has no request ids: the ACKs of the init replayed on (re)connect must be consumed
        # before a command is sent, or the command would take one of them for its own.
        self._init_acked = threading.Event()
        self._init_acked.set()
        self._init_replies = 0
        factory = transport_factory or SerialTransport
        self._transport = factory(
            port,
            _ScannerProtocol(self),
            name=name,
            baudrate=baudrate,
            stats=self.statistics,
            **dict(transport_options or {}),
        )

    @property
    def transport(self) -> Any:  # a SerialTransport, or a KeyboardTransport for an evdev port
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
            resent = False
            for attempt in range(3):
                status = ssi.STATUS_RETRANSMIT if resent else 0
                try:
                    reply = self._transport.request(
                        ssi.encode(opcode, data, status=status), _expect_reply, self.command_timeout
                    )
                except DeviceTimeout:
                    if not resent:  # maybe it was asleep and lost our first bytes: once more
                        self._log.info("no answer to 0x%02X: sent again (retransmit)", opcode)
                        resent = True
                        continue
                    if self._transport.connected:
                        self._report(Condition.OFFLINE, (NOT_RESPONDING,), "no ACK")
                    raise
                packet = ssi.PacketDecoder().feed(reply)[0]
                if packet.valid and packet.opcode == ssi.ACK:
                    if self.condition is not Condition.ONLINE:
                        self._report(Condition.ONLINE, (), "answered")
                    return
                cause = packet.data[0] if packet.data else None
                if attempt < 2 and (not packet.valid or cause == ssi.NAK_RESEND):
                    resent = True
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
            return self._failing(level, f"{self.name}: the scanner is not connected.", details)
        if self.mode == "ssi":
            try:
                if level >= HealthLevel.EXTERNAL:
                    self.beep()
                else:  # no visible effect: repeat the current enable state
                    self._command(ssi.SCAN_ENABLE if self._enabled else ssi.SCAN_DISABLE)
            except PeripheralError as exc:
                return self._failing(
                    level, f"{self.name}: the scanner does not answer ({exc}).", details
                )
            sentence = f"{self.name}: scanner answers" + (" and beeped." if level >= 2 else ".")
        else:
            sentence = f"{self.name}: scanner connected (line mode: no commands to test)."
        ok = self.condition is Condition.ONLINE
        return self._health(level, ok, sentence, details)

    # ---------------------------------------------------------------- reader thread
    def _on_connected(self, transport: SerialTransport) -> None:
        self._lines = LineSplitter(gap=self.char_gap)
        self._packets = ssi.PacketDecoder(self._packet_deadline)
        self._partial = b""
        self._last_decode = None
        self._report(Condition.ONLINE, (), "connected")
        if self.mode == "ssi":  # replay init (write only: we are on the reader thread)
            self._init_acked.clear()
            self._init_replies = 2
            packeted = bytes([ssi.BEEP_NONE, ssi.PARAM_DECODE_FORMAT, ssi.DECODE_FORMAT_PACKETED])
            transport.write(
                ssi.encode(ssi.PARAM_SEND, packeted)
                + ssi.encode(ssi.SCAN_ENABLE if self._enabled else ssi.SCAN_DISABLE)
            )

    def _on_bytes(self, data: bytes) -> None:
        if self.mode == "line":
            for line in self._lines.feed(data, self._clock()):
                if line.error is not None:
                    self._read_error(line.error)
                elif line.text:
                    symbology, text = parse_aim(line.text) if self.aim_ids else (None, line.text)
                    self._code(text, symbology)
            return
        dropped = self._packets.dropped
        packets = self._packets.feed(data, self._clock())
        dropping, self._dropping = self._dropping, self._packets.dropped > dropped
        if self._dropping and not dropping:  # one report for one run of stray bytes
            self._read_error("data outside SSI packets (raw decode data or line noise)")
        for packet in packets:
            self._on_packet(packet)

    def _on_packet(self, packet: ssi.Packet) -> None:
        if packet.opcode != ssi.DECODE_DATA:
            self._init_replies -= 1
            if self._init_replies <= 0:
                self._init_acked.set()  # the ACK/NAKs of the init replay
            return
        if not packet.valid:
            self.statistics.increment("read_errors")
            self._log.info("decode packet with a bad checksum: asking for it again")
            self._transport.write(ssi.encode(ssi.NAK, bytes([ssi.NAK_RESEND])))
            return
        self._transport.write(ssi.encode(ssi.ACK))
        same = bytes([packet.opcode, packet.source]) + packet.data
        if packet.status & ssi.STATUS_RETRANSMIT and same == self._last_decode:
            self._log.info("decode packet sent again after a lost ACK: not a new scan")
            return
        self._last_decode = same
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


_OPTIONS = {
    "mode",
    "baud",
    "baudrate",
    "command_timeout",
    "suffix",
    "char_gap",
    "aim_ids",
    "layout",
}
SUFFIXES = {"CR", "LF", "CRLF"}


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> Scanner:
    """Registry factory ("scanner"). Options: mode ("line" | "ssi"), baud (default 9600),
    command_timeout (s, default 1.0), suffix (line mode: "CR", "LF" or "CRLF" — all three are
    understood whatever is set; the option documents the scanner's setting and is checked),
    char_gap (line mode: s between characters of one code, default 0.1), aim_ids (line mode: read
    AIM symbology identifiers, default true), rtscts / dsrdtr / xonxoff (serial flow control),
    layout ("us" or "gb": a USB HID keyboard-wedge scanner, port = its /dev/input/… node, line mode
    only, read with an exclusive grab). Unknown options raise ValueError (→ ConfigurationError)."""
    options = dict(options)
    flow = pop_flow_control(options)
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
        char_gap=float(options.get("char_gap", 0.1)),
        aim_ids=bool(options.get("aim_ids", True)),
        transport_options=_transport_options(port, options, flow),
        transport_factory=KeyboardTransport if is_evdev_port(port) else None,
    )


def _transport_options(
    port: str, options: Mapping[str, Any], flow: dict[str, bool]
) -> dict[str, Any]:
    if is_evdev_port(port):
        if str(options.get("mode", "line")) != "line" or flow:
            raise ValueError(
                "a keyboard-wedge scanner (/dev/input/…) is line mode, no flow control"
            )
        return {"layout": str(options.get("layout", "us"))}
    if "layout" in options:
        raise ValueError("layout is for keyboard-wedge scanners (port /dev/input/…)")
    return {"serial_options": flow} if flow else {}
