"""Zebra SSI (Simple Serial Interface) packets.

    length opcode source status data… checksum_hi checksum_lo

`length` counts every byte but the two checksum bytes; the checksum is the 16-bit two's complement of
the sum of those bytes (so sum + checksum ≡ 0 mod 65536). Source 0x00 = decoder, 0x04 = host. Status
bit 0 = retransmission, bit 1 = more packets follow (a long decode is split into several).

Opcodes used: CMD_ACK D0, CMD_NAK D1 (cause: 01 resend, 02 bad context, 06 denied), BEEP E6,
SCAN_ENABLE E9, SCAN_DISABLE EA, DECODE_DATA F3 (data = barcode type, then the code).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACK",
    "BEEP",
    "DECODE_DATA",
    "NAK",
    "Packet",
    "PacketDecoder",
    "SCAN_DISABLE",
    "SCAN_ENABLE",
    "SYMBOLOGIES",
    "checksum",
    "encode",
]

ACK, NAK, BEEP, SCAN_ENABLE, SCAN_DISABLE, DECODE_DATA = 0xD0, 0xD1, 0xE6, 0xE9, 0xEA, 0xF3
SOURCE_DECODER, SOURCE_HOST = 0x00, 0x04
STATUS_RETRANSMIT, STATUS_CONTINUED = 0x01, 0x02
NAK_RESEND, NAK_BAD_CONTEXT, NAK_DENIED = 0x01, 0x02, 0x06
KNOWN_OPCODES = frozenset({ACK, NAK, BEEP, SCAN_ENABLE, SCAN_DISABLE, DECODE_DATA})

#: SSI barcode type byte → name (the ones a kiosk meets)
SYMBOLOGIES = {
    0x01: "code39",
    0x03: "code128",
    0x06: "interleaved-2of5",
    0x0B: "ean13",
    0x0C: "ean8",
    0x08: "upca",
    0x11: "pdf417",
    0x1B: "datamatrix",
    0x1C: "qr",
    0x2D: "aztec",
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
        self.dropped = 0

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
            if self._buf[0] < 4 or (len(self._buf) > 1 and self._buf[1] not in KNOWN_OPCODES):
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
