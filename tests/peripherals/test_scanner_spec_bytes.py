"""The scanner driver against bytes written out from the documents, over real pseudo-terminals.

Sources (issue 15, items 14–19):
* Zebra Simple Serial Interface (SSI) Programmer's Guide: packet = length, opcode, source, status,
  data, 2-byte checksum (two's complement of the byte sum, high byte first); length counts every
  byte but the checksum; status bit 0 = retransmit; CMD_ACK D0, DECODE_DATA F3 (data: code type,
  then the code), PARAM_SEND C6 (beep code FF = none, then parameter/value pairs); parameter EE =
  decode data packet format (00 raw, 01 packeted); the code-type table (EAN-8 0A, EAN-13 0B,
  Code 11 0C, QR 1C, UPC-E0 + 2 supplemental 49 …). The SE955 / DS8108 integration guides: a scanner
  in low-power mode loses the first characters it receives while it wakes.
* ISO/IEC 15424 (AIM symbology identifiers): ``]`` + code character + modifier — ``]Q1`` QR,
  ``]C1`` GS1-128, ``]E0`` EAN-13, ``]E4`` EAN-8; GS1 General Specifications: GS (1D) separates
  variable-length element strings.
Checksums below were worked out by hand from that rule; no packet comes from our encoder.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from peripherals.conditions import Condition
from peripherals.emulators.pty_host import EmulatedDevice, PtyHost
from peripherals.emulators.scanner import SsiScannerEmulator
from peripherals.events import CodeScanned, EventBus, ReadError
from peripherals.scanner import Scanner, ssi

ACK_FROM_SCANNER = bytes.fromhex("04 D0 00 00 FF 2C")
ACK_FROM_HOST = bytes.fromhex("04 D0 04 00 FF 28")
PARAM_SEND_PACKETED = bytes.fromhex("07 C6 04 00 FF EE 01 FD 41")
SCAN_ENABLE = bytes.fromhex("04 E9 04 00 FF 0F")
BEEP_0 = bytes.fromhex("05 E6 04 00 00 FF 11")
BEEP_0_RETRANSMIT = bytes.fromhex("05 E6 04 01 00 FF 10")
EAN8 = bytes.fromhex("0D F3 00 00 0A 31 32 33 34 35 36 37 30 FD 5A")  # "12345670"
EAN8_RETRANSMIT = bytes.fromhex("0D F3 00 01 0A 31 32 33 34 35 36 37 30 FD 59")
CODE11 = bytes.fromhex("0B F3 00 00 0C 31 32 33 2D 34 35 FD CA")  # "123-45"
QR = bytes.fromhex("0B F3 00 00 1C 43 41 53 45 2D 31 FD 6C")  # "CASE-1"
UPCE0_2 = bytes.fromhex("0F F3 00 00 49 30 31 32 33 34 35 36 35 31 32 FC B8")  # "01234565"+"12"


class SpecScanner(EmulatedDevice):
    """Answers every host packet (found by its length byte alone) with the literal ACK, except the
    first `asleep` packets, which are lost (waking from low power); `reply_prefix` goes before the
    next ACK once (noise on the line)."""

    def __init__(self, asleep: int = 0) -> None:
        super().__init__()
        self.asleep = asleep
        self.reply_prefix = b""
        self.received = bytearray()
        self.packets: list[bytes] = []
        self._buf = b""
        self._lock = threading.Lock()

    def on_bytes(self, data: bytes) -> None:
        with self._lock:
            self.received += data
            self._buf += data
            while self._buf and len(self._buf) >= self._buf[0] + 2:
                packet, self._buf = self._buf[: self._buf[0] + 2], self._buf[self._buf[0] + 2 :]
                self.packets.append(packet)
                if packet[1] in (0xD0, 0xD1):
                    continue  # the host's ACK/NAK of a decode
                if self.asleep:
                    self.asleep -= 1
                    continue
                self.send(self.reply_prefix + ACK_FROM_SCANNER)
                self.reply_prefix = b""


class Rig:
    def __init__(self, device: EmulatedDevice, mode: str = "ssi", **kw) -> None:
        self.device = device
        self.host = PtyHost(device, garble_rate=0.0)
        self.host.start()
        self.bus = EventBus(threaded=False)
        self.events: list[object] = []
        self.bus.subscribe(self.events.append)
        kw.setdefault("command_timeout", 0.3)
        self.scanner = Scanner("scanner", self.host.url, mode=mode, bus=self.bus, **kw)
        self.scanner.open()

    def settle(self, wait: float = 0.3) -> list[object]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            self.bus.drain(0.02)
        events, self.events[:] = list(self.events), []
        return [e for e in events if isinstance(e, CodeScanned | ReadError)]

    def close(self) -> None:
        self.scanner.close()
        self.host.stop()
        self.bus.close()


@pytest.fixture
def spec() -> Iterator[Rig]:
    rig = Rig(SpecScanner())
    rig.settle(0.2)  # the init's ACKs
    yield rig
    rig.close()


# ------------------------------------------------------------------ item 14: code types
def test_code_type_table_as_the_guide_gives_it() -> None:
    expected = {0x01: "code39", 0x02: "codabar", 0x03: "code128", 0x07: "code93", 0x08: "upca",
                0x09: "upce0", 0x0A: "ean8", 0x0B: "ean13", 0x0C: "code11", 0x0F: "gs1-128",
                0x11: "pdf417", 0x1B: "datamatrix", 0x1C: "qr", 0x2D: "aztec",
                0x30: "gs1-databar", 0x49: "upce0+2", 0x8B: "ean13+5"}  # fmt: skip
    assert {k: ssi.SYMBOLOGIES[k] for k in expected} == expected


def test_decode_packets_name_their_symbology(spec: Rig) -> None:
    for packet in (EAN8, CODE11, QR, UPCE0_2):
        spec.device.send(packet)
    events = spec.settle()
    assert [(e.data, e.symbology) for e in events] == [
        ("12345670", "ean8"),
        ("123-45", "code11"),
        ("CASE-1", "qr"),
        ("0123456512", "upce0+2"),
    ]
    assert bytes(spec.device.received).count(ACK_FROM_HOST) == 4  # each decode ACKed


# ------------------------------------------------------------------ item 16: retransmitted decode
def test_a_decode_resent_after_a_lost_ack_is_not_a_second_scan(spec: Rig) -> None:
    spec.device.send(EAN8)
    spec.device.send(EAN8_RETRANSMIT)  # our ACK was lost: the same packet, retransmit bit set
    events = spec.settle()
    assert [e.data for e in events] == ["12345670"]
    assert bytes(spec.device.received).count(ACK_FROM_HOST) == 2  # both ACKed
    spec.device.send(EAN8)  # the same code scanned again on purpose: a new scan
    assert [e.data for e in spec.settle()] == ["12345670"]


def test_emulator_switch_ack_lost() -> None:
    emu = SsiScannerEmulator()
    rig = Rig(emu)
    try:
        rig.settle(0.2)
        emu.set_fault("ack_lost")
        assert emu.scan("CASE-2")
        events = rig.settle(0.4)
        assert [e.data for e in events] == ["CASE-2"] and emu.acks_from_host == 1
    finally:
        rig.close()


# ------------------------------------------------------------------ item 17: matcher resyncs
def test_the_reply_matcher_skips_noise_before_the_ack(spec: Rig) -> None:
    spec.device.reply_prefix = b"\xff\x07"  # FF would be "a 257-byte packet"; 07 then no opcode
    start = time.monotonic()
    spec.scanner.beep()
    assert time.monotonic() - start < 0.25  # the ACK behind the noise, not the timeout
    assert spec.scanner.condition is Condition.ONLINE


# ------------------------------------------------------------------ item 18: packeted, raw reported
def test_start_up_sets_the_decode_format_to_packeted() -> None:
    device = SpecScanner()
    rig = Rig(device)
    try:
        rig.settle(0.2)
        assert device.packets[:2] == [PARAM_SEND_PACKETED, SCAN_ENABLE]
    finally:
        rig.close()


def test_raw_decode_data_that_comes_anyway_is_a_counted_read_error(spec: Rig) -> None:
    spec.device.send(b"CASE-1")  # decode data format "raw": the bare code
    events = spec.settle()
    assert [type(e) for e in events] == [ReadError]
    assert "outside SSI packets" in events[0].reason
    assert spec.scanner.statistics.get("read_errors") == 1
    spec.device.send(QR)  # packets still decode after it
    assert [e.data for e in spec.settle()] == ["CASE-1"]


def test_emulator_switches_raw_decode_and_raw_stuck() -> None:
    emu = SsiScannerEmulator()
    emu.set_fault("raw_decode")
    rig = Rig(emu)
    try:
        rig.settle(0.2)
        assert emu.packeted  # the driver's PARAM_SEND switched it
        emu.scan("CASE-3")
        assert [(type(e), getattr(e, "data", None)) for e in rig.settle()] == [
            (CodeScanned, "CASE-3")
        ]
        emu.set_fault("raw_stuck")
        emu.scan("CASE-4")
        assert [type(e) for e in rig.settle()] == [ReadError]
    finally:
        rig.close()


# ------------------------------------------------------------------ item 15: low-power wake
def test_the_first_command_after_idle_is_resent_and_does_not_mark_offline() -> None:
    device = SpecScanner()
    rig = Rig(device)
    try:
        rig.settle(0.2)
        device.asleep = 1  # it sleeps: the next packet only wakes it
        rig.scanner.beep()
        assert device.packets[-2:] == [BEEP_0, BEEP_0_RETRANSMIT]
        assert rig.scanner.condition is Condition.ONLINE
        assert not [e for e in rig.events if type(e).__name__ == "FaultRaised"]
    finally:
        rig.close()


def test_emulator_switch_low_power() -> None:
    emu = SsiScannerEmulator(wake_after=0.5)
    rig = Rig(emu)
    try:
        rig.settle(0.2)
        emu.set_fault("low_power")
        time.sleep(0.6)
        rig.scanner.beep()
        assert emu.lost_while_waking == 1 and emu.beeps == 1
        assert emu.statuses[-1] & 0x01  # the resend carried the retransmit bit
        assert rig.scanner.condition is Condition.ONLINE
    finally:
        rig.close()


# ------------------------------------------------------------------ item 19: line mode
class Wire(EmulatedDevice):
    def on_bytes(self, data: bytes) -> None:
        pass


@pytest.fixture
def line() -> Iterator[Rig]:
    rig = Rig(Wire(), mode="line", char_gap=0.1)
    yield rig
    rig.close()


def test_a_stray_byte_is_not_glued_to_the_next_code(line: Rig) -> None:
    line.device.send(b"X")  # a bump on the scanner's cable
    time.sleep(0.3)
    line.device.send(b"CASE-9\r")
    events = line.settle()
    assert [type(e) for e in events] == [ReadError, CodeScanned]
    assert events[1].data == "CASE-9"


def test_gs1_separator_and_aim_identifiers(line: Rig) -> None:
    # ]C1 = GS1-128; (01) GTIN, then (10) batch, a variable-length field ended by GS before (21)
    line.device.send(b"]C10109501101530003\x1d10ABC1\x1d21XYZ\r")
    line.device.send(b"]Q1https://kiosk.example/h/ABCD\r")
    line.device.send(b"]E04006381333931\r]E412345670\r")
    line.device.send(b"NO-AIM-PREFIX\r")
    events = line.settle()
    assert [(e.data, e.symbology) for e in events] == [
        ("0109501101530003\x1d10ABC1\x1d21XYZ", "gs1-128"),
        ("https://kiosk.example/h/ABCD", "qr"),
        ("4006381333931", "ean13"),
        ("12345670", "ean8"),
        ("NO-AIM-PREFIX", None),
    ]
