"""Zebra SSI (Simple Serial Interface) packets.

    length opcode source status data… checksum_hi checksum_lo

`length` counts every byte but the two checksum bytes; the checksum is the 16-bit two's complement of
the sum of those bytes (so sum + checksum ≡ 0 mod 65536). Source 0x00 = decoder, 0x04 = host. Status
bit 0 = retransmission, bit 1 = more packets follow (a long decode is split into several).

Opcodes used: CMD_ACK D0, CMD_NAK D1 (cause: 01 resend, 02 bad context, 06 denied), BEEP E6,
SCAN_ENABLE E9, SCAN_DISABLE EA, DECODE_DATA F3 (data = barcode type, then the code), PARAM_SEND C6
(data = beep code, then parameter number and value pairs; FF = no beep). Parameter EE "decode data
packet format": 00 raw (the code as bare bytes), 01 packeted (DECODE_DATA).

The barcode type byte is Zebra's code-type table (SSI Programmer's Guide, "Decode Data" / code
types): `SYMBOLOGIES`. Types with a 2-digit supplement are the base type + 0x40, with a 5-digit one
+ 0x80 (UPC-A+2 = 48, EAN-13+5 = 8B).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACK",
    "BEEP",
    "DECODE_DATA",
    "NAK",
    "PARAM_SEND",
    "Packet",
    "PacketDecoder",
    "SCAN_DISABLE",
    "SCAN_ENABLE",
    "SYMBOLOGIES",
    "checksum",
    "encode",
]

ACK, NAK, BEEP, SCAN_ENABLE, SCAN_DISABLE, DECODE_DATA = 0xD0, 0xD1, 0xE6, 0xE9, 0xEA, 0xF3
PARAM_SEND = 0xC6
SOURCE_DECODER, SOURCE_HOST = 0x00, 0x04
STATUS_RETRANSMIT, STATUS_CONTINUED = 0x01, 0x02
NAK_RESEND, NAK_BAD_CONTEXT, NAK_DENIED = 0x01, 0x02, 0x06
KNOWN_OPCODES = frozenset({ACK, NAK, BEEP, SCAN_ENABLE, SCAN_DISABLE, DECODE_DATA, PARAM_SEND})
PARAM_DECODE_FORMAT, DECODE_FORMAT_PACKETED, BEEP_NONE = 0xEE, 0x01, 0xFF

#: SSI barcode type byte → name, as Zebra's code-type table gives it
_BASE = {
    0x01: "code39",
    0x02: "codabar",
    0x03: "code128",
    0x04: "discrete-2of5",
    0x05: "iata-2of5",
    0x06: "interleaved-2of5",
    0x07: "code93",
    0x08: "upca",
    0x09: "upce0",
    0x0A: "ean8",
    0x0B: "ean13",
    0x0C: "code11",
    0x0D: "code49",
    0x0E: "msi",
    0x0F: "gs1-128",
    0x10: "upce1",
    0x11: "pdf417",
    0x12: "code16k",
    0x13: "code39-full-ascii",
    0x14: "upcd",
    0x15: "code39-trioptic",
    0x16: "bookland",
    0x17: "coupon",
    0x18: "nw7",
    0x19: "isbt128",
    0x1A: "micropdf",
    0x1B: "datamatrix",
    0x1C: "qr",
    0x1D: "micropdf-cca",
    0x1E: "postnet-us",
    0x1F: "planet-us",
    0x20: "code32",
    0x21: "isbt128-concat",
    0x22: "japan-postal",
    0x23: "australian-postal",
    0x24: "dutch-postal",
    0x25: "maxicode",
    0x26: "canadian-postal",
    0x27: "uk-postal",
    0x28: "macro-pdf",
    0x2C: "micro-qr",
    0x2D: "aztec",
    0x30: "gs1-databar",
    0x31: "gs1-databar-limited",
    0x32: "gs1-databar-expanded",
}
_SUPPLEMENTED = {0x08: "upca", 0x09: "upce0", 0x0A: "ean8", 0x0B: "ean13", 0x10: "upce1"}
SYMBOLOGIES = {
    **_BASE,
    **{code | 0x40: f"{name}+2" for code, name in _SUPPLEMENTED.items()},
    **{code | 0x80: f"{name}+5" for code, name in _SUPPLEMENTED.items()},
}


def checksum(body: bytes) -> int:
    return (-sum(body)) & 0xFFFF


def encode(opcode: int, data: bytes = b"", source: int = SOURCE_HOST, status: int = 0) -> bytes:
    """One packet (length ≤ 255, so data ≤ 251 bytes)."""
    if len(data) > 251:
        raise ValueError("SSI packet data is limited to 251 bytes")
    body = bytes([4 + len(data), opcode, source, status]) + data
    return body + checksum(body).to_bytes(2, "big")


@dataclass(frozen=True)
class Packet:
    opcode: int
    source: int
    status: int
    data: bytes = b""
    valid: bool = True  # False: the checksum did not match

    @property
    def continued(self) -> bool:
        return bool(self.status & STATUS_CONTINUED)


def is_packet_start(buf: bytes) -> bool:
    """Could a packet start at buf[0]? Length at least 4 and, once there, a known opcode."""
    return bool(buf) and buf[0] >= 4 and (len(buf) < 2 or buf[1] in KNOWN_OPCODES)


def packet_length(buf: bytes) -> int | None:
    """Bytes the packet at the start of `buf` takes (length + 2), None if not all there yet."""
    if not buf:
        return None
    total = buf[0] + 2
    return total if len(buf) >= total else None


class PacketDecoder:
    """Incremental decoder. A length byte below 4 or an unknown opcode is noise: one byte is dropped
    and decoding resynchronises on the next; a full packet with a wrong checksum is returned with
    valid=False (the driver NAKs it so the scanner sends it again). A packet not complete within
    `deadline` seconds of its first byte is dropped, so a noise byte that looks like a long length
    cannot hold up the packets behind it."""

    def __init__(self, deadline: float = 0.5) -> None:
        self.deadline = deadline
        self._buf = bytearray()
        self._started = 0.0
        self.dropped = 0  # bytes that were not part of any packet, ever (noise, raw decode data)

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes, now: float = 0.0) -> list[Packet]:
        if self._buf and now - self._started > self.deadline:
            self.dropped += len(self._buf)
            self._buf.clear()
        if not self._buf:
            self._started = now
        self._buf += data
        out: list[Packet] = []
        while self._buf:
            if not is_packet_start(self._buf):
                del self._buf[0]
                self.dropped += 1
                continue
            total = packet_length(self._buf)
            if total is None:
                break
            raw = bytes(self._buf[:total])
            del self._buf[:total]
            self._started = now
            body, chk = raw[:-2], int.from_bytes(raw[-2:], "big")
            out.append(Packet(body[1], body[2], body[3], body[4:], chk == checksum(body)))
        return out
