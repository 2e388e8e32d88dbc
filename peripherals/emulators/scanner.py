"""QR/barcode scanners on a pseudo-terminal: line mode ("scanner"), Zebra SSI ("scanner-ssi") and a
USB keyboard-wedge scanner ("scanner-wedge": always kernel input_event records, as the hid_wedge
switch gives; the hub hands the driver its port as ``wedge-pty:…``, read by peripherals.wedge).

What to scan comes through the control socket (peripherals.emulators.control):

    scan TEXT          the scanner decodes TEXT (as a QR code in SSI mode)

Line mode sends TEXT + CR LF and ignores the host. SSI mode sends DECODE_DATA packets (split when
long), waits for the host's ACK/NAK (NAK "resend" → sent again with the retransmit bit), and answers
BEEP / SCAN_ENABLE / SCAN_DISABLE / PARAM_SEND with an ACK; while disabled it decodes nothing.
PARAM_SEND sets parameter EE (decode data format: 00 raw, 01 packeted).

Faults (besides unplug, garbled, slow, offline of every emulator):
    garbled        (both) bytes 0xFF are put inside the code (and PtyHost adds random junk)
    offline        (both) nothing is scanned and, in SSI mode, no command is answered
    nak            (SSI)  every command is refused: NAK with cause 06 (denied)
    bad_checksum   (SSI)  a decode packet goes out with a wrong checksum the first time
Model switches (SSI; faults too, so --fault sets them):
    raw_decode     the scanner starts with decode data format "raw": a scan is the bare code,
                   until the host sets parameter EE to 01 (packeted)
    raw_stuck      as raw_decode, but PARAM_SEND is ACKed and ignored (a firmware that keeps raw)
    low_power      after `wake_after` s with nothing from the host the scanner sleeps, and the
                   first packet it then receives is lost while it wakes (about 10 ms)
    ack_lost       the host's ACK of the next decode is lost on the line: the scanner sends the
                   decode again with the retransmit bit (the same scan, not a new one)
"""

from __future__ import annotations

import threading
import time
from typing import ClassVar

from peripherals.emulators.control import ControllableEmulator
from peripherals.scanner import ssi
from peripherals.wedge.keyboard import EMULATED_PREFIX
from peripherals.wedge.keymap import keystrokes

__all__ = ["ScannerEmulator", "SsiScannerEmulator", "WedgeScannerEmulator"]


class ScannerEmulator(ControllableEmulator):
    """Line mode: the decoded text then CR LF. Switch hid_wedge: a USB keyboard-wedge scanner — the
    text and Enter as kernel input_event records (US layout; read with peripherals.wedge)."""

    device_faults: ClassVar[frozenset[str]] = frozenset({"hid_wedge"})
    keyboard: ClassVar[bool] = False
    """True: a keyboard-wedge model, whatever the hid_wedge switch says."""

    def __init__(self) -> None:
        super().__init__()
        self.received = bytearray()

    def on_bytes(self, data: bytes) -> None:
        self.received += data  # a line-mode scanner takes no commands

    def _payload(self, text: str) -> bytes:
        raw = text.encode("utf-8")
        if "garbled" in self.faults:
            raw = raw[: len(raw) // 2] + b"\xff\xfe" + raw[len(raw) // 2 :]
        return raw

    def scan(self, text: str) -> bool:
        """Decode `text`; False when nothing was sent (offline, unplugged)."""
        if "offline" in self.faults or self.host is None or not self.host.plugged:
            return False
        if self.keyboard or "hid_wedge" in self.faults:
            self.send(keystrokes(text + "\n"))
        else:
            self.send(self._payload(text) + b"\r\n")
        self.show("scanned")
        return True

    def command(self, verb: str, arg: str) -> str:
        if verb == "scan":
            if not arg:
                return "error: use 'scan TEXT'"
            return "ok scanned" if self.scan(arg) else "ok ignored (offline, disabled or unplugged)"
        return super().command(verb, arg)


class WedgeScannerEmulator(ScannerEmulator):
    """A USB HID keyboard-wedge scanner: every scan is typed as input_event records (US layout),
    the code then Enter. ``port_prefix`` tells the hub to give the driver ``wedge-pty:<pty>``."""

    device_faults: ClassVar[frozenset[str]] = frozenset()
    keyboard: ClassVar[bool] = True
    port_prefix: ClassVar[str] = EMULATED_PREFIX


class SsiScannerEmulator(ScannerEmulator):
    device_faults: ClassVar[frozenset[str]] = frozenset(
        {"nak", "bad_checksum", "raw_decode", "raw_stuck", "low_power", "ack_lost"}
    )

    def __init__(self, wake_after: float = 5.0) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._decoder = ssi.PacketDecoder()
        self.enabled = True
        self.packeted = True  # parameter EE
        self.wake_after = wake_after
        self.beeps = 0
        self.commands: list[int] = []
        self.statuses: list[int] = []  # status byte of every command received (retransmit bit)
        self.lost_while_waking = 0
        self.acks_from_host = 0
        self.naks_from_host = 0
        self._last_sent: list[bytes] = []  # decode packets of the last scan, for a resend
        self._last_heard = time.monotonic()

    def on_plug(self) -> None:
        self._decoder = ssi.PacketDecoder()

    def on_fault_changed(self, name: str, on: bool) -> None:
        if name in ("raw_decode", "raw_stuck"):
            self.packeted = not on
        if name == "low_power":
            self._last_heard = time.monotonic()

    def on_bytes(self, data: bytes) -> None:
        self.received += data
        now = time.monotonic()
        asleep = "low_power" in self.faults and now - self._last_heard > self.wake_after
        self._last_heard = now
        if asleep:  # the first bytes wake it and are lost
            self.lost_while_waking += 1
            self._decoder = ssi.PacketDecoder()
            return
        for packet in self._decoder.feed(data):
            self._on_packet(packet)

    def _on_packet(self, packet: ssi.Packet) -> None:
        if "offline" in self.faults:
            return
        if not packet.valid:
            self.send(ssi.encode(ssi.NAK, bytes([ssi.NAK_RESEND]), source=ssi.SOURCE_DECODER))
            return
        if packet.opcode == ssi.ACK:
            if "ack_lost" in self.faults:
                self.faults.discard("ack_lost")  # lost once: no ACK within the timeout → resend
                with self._lock:
                    again = [_retransmitted(p) for p in self._last_sent]
                for raw in again:
                    self.send(raw)
                return
            self.acks_from_host += 1
            return
        if packet.opcode == ssi.NAK:
            self.naks_from_host += 1
            if packet.data[:1] == bytes([ssi.NAK_RESEND]):
                with self._lock:
                    again = [_retransmitted(p) for p in self._last_sent]
                for raw in again:
                    self.send(raw)
            return
        self.commands.append(packet.opcode)
        self.statuses.append(packet.status)
        if "nak" in self.faults:
            self.send(ssi.encode(ssi.NAK, bytes([ssi.NAK_DENIED]), source=ssi.SOURCE_DECODER))
            return
        if packet.opcode == ssi.BEEP:
            self.beeps += 1
            self.show("beep")
        elif packet.opcode == ssi.SCAN_ENABLE:
            self.enabled = True
        elif packet.opcode == ssi.SCAN_DISABLE:
            self.enabled = False
        elif packet.opcode == ssi.PARAM_SEND:
            pairs = packet.data[1:]  # after the beep code: parameter, value, …
            for number, value in zip(pairs[::2], pairs[1::2], strict=False):
                if number == ssi.PARAM_DECODE_FORMAT and "raw_stuck" not in self.faults:
                    self.packeted = value == ssi.DECODE_FORMAT_PACKETED
        else:
            self.send(ssi.encode(ssi.NAK, bytes([ssi.NAK_BAD_CONTEXT]), source=ssi.SOURCE_DECODER))
            return
        self.send(ssi.encode(ssi.ACK, source=ssi.SOURCE_DECODER))

    def scan(self, text: str, symbology: int = 0x1C) -> bool:
        if not self.enabled or "offline" in self.faults:
            return False
        if self.host is None or not self.host.plugged:
            return False
        raw = self._payload(text)
        if not self.packeted:  # decode data format "raw": the bare code
            self.send(raw)
            self.show("scanned (raw)")
            return True
        chunks = [raw[i : i + 250] for i in range(0, len(raw), 250)] or [b""]
        packets = []
        for i, chunk in enumerate(chunks):
            status = ssi.STATUS_CONTINUED if i < len(chunks) - 1 else 0
            packets.append(
                ssi.encode(ssi.DECODE_DATA, bytes([symbology]) + chunk, ssi.SOURCE_DECODER, status)
            )
        with self._lock:
            self._last_sent = packets
        for raw_packet in packets:
            if "bad_checksum" in self.faults:
                raw_packet = raw_packet[:-1] + bytes([raw_packet[-1] ^ 0xFF])
            self.send(raw_packet)
        self.show("scanned")
        return True


def _retransmitted(packet: bytes) -> bytes:
    body = bytearray(packet[:-2])
    body[3] |= ssi.STATUS_RETRANSMIT
    return bytes(body) + ssi.checksum(bytes(body)).to_bytes(2, "big")
