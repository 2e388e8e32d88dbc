"""ESC/POS as bytes: one pure function per command, nothing else.

Why pure functions: the driver, the tests and the benchmark can all build and compare exact bytes
without a port. Values are checked here (a bad size raises ValueError) so a wrong call never reaches
the printer as a command that swallows the following bytes. Byte layouts: docs REFERENCE.md (Epson
TM manuals).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum

__all__ = [
    "Align",
    "QrEcc",
    "align",
    "asb",
    "bold",
    "clear_buffers",
    "completion_request",
    "cut",
    "code_page",
    "feed",
    "init",
    "line_feed",
    "print_mode",
    "qr",
    "raster_bands",
    "recover",
    "size",
    "status_request",
    "text",
    "underline",
    "user_defined",
    "user_defined_set",
]

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"


class Align(IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


class QrEcc(IntEnum):
    """QR error correction; the value is the byte of GS ( k fn 69."""

    L = 0x30
    M = 0x31
    Q = 0x32
    H = 0x33


def _byte(value: int, lo: int, hi: int, what: str) -> bytes:
    if not lo <= value <= hi:
        raise ValueError(f"{what} must be {lo}…{hi}, got {value}")
    return bytes([value])


def init() -> bytes:
    """ESC @ — reset modes (not the buffer contents already printed)."""
    return ESC + b"@"


def line_feed() -> bytes:
    return b"\n"


def text(value: str, encoding: str) -> bytes:
    """Text in the printer's current code page. Characters it lacks raise UnicodeEncodeError:
    choosing a fallback is the profile's job (profiles.encode_line), not a silent '?'."""
    return value.encode(encoding)


def code_page(table: int) -> bytes:
    """ESC t n — select character code table n (numbers are per printer model: see profiles)."""
    return ESC + b"t" + _byte(table, 0, 255, "code table")


def bold(on: bool) -> bytes:
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def underline(dots: int) -> bytes:
    """ESC - n — 0 off, 1 thin, 2 thick."""
    return ESC + b"-" + _byte(dots, 0, 2, "underline")


def align(where: Align | int) -> bytes:
    return ESC + b"a" + _byte(int(where), 0, 2, "alignment")


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n — character magnification 1–8 in each direction."""
    w = _byte(width, 1, 8, "width")[0] - 1
    h = _byte(height, 1, 8, "height")[0] - 1
    return GS + b"!" + bytes([(w << 4) | h])


def print_mode(
    bold: bool = False,
    double_width: bool = False,
    double_height: bool = False,
    underline: bool = False,
) -> bytes:
    """ESC ! n — bold, double width/height and underline in one 3-byte command (font A)."""
    n = (0x08 if bold else 0) | (0x10 if double_height else 0) | (0x20 if double_width else 0)
    return ESC + b"!" + bytes([n | (0x80 if underline else 0)])


def feed(lines: int = 1) -> bytes:
    """ESC d n — print the buffer and feed n lines."""
    return ESC + b"d" + _byte(lines, 0, 255, "feed lines")


def cut(partial: bool = False, feed_dots: int | None = None) -> bytes:
    """GS V: full (00) / partial (01); with feed_dots: feed then cut (41 n / 42 n)."""
    if feed_dots is None:
        return GS + b"V" + (b"\x01" if partial else b"\x00")
    return GS + b"V" + (b"\x42" if partial else b"\x41") + _byte(feed_dots, 0, 255, "cut feed")


def _gs_k(payload: bytes) -> bytes:
    n = len(payload)
    if n > 0xFFFF:
        raise ValueError("QR data too long")
    return GS + b"(k" + bytes([n & 0xFF, n >> 8]) + payload


def qr(data: bytes, module_size: int = 6, ecc: QrEcc = QrEcc.M) -> bytes:
    """Native QR (GS ( k): model 2, module size, error correction, store, print.

    Far fewer bytes than a QR image (≈ len(data) + 40 instead of thousands at 9600 baud).
    """
    if not data:
        raise ValueError("QR data is empty")
    if len(data) > 7089:
        raise ValueError("QR data longer than a version 40 symbol holds")
    return (
        _gs_k(b"1A2\x00")  # fn 65: model 2
        + _gs_k(b"1C" + _byte(module_size, 1, 16, "QR module size"))  # fn 67
        + _gs_k(b"1E" + bytes([int(ecc)]))  # fn 69
        + _gs_k(b"1P0" + data)  # fn 80: store
        + _gs_k(b"1Q0")  # fn 81: print
    )


def raster_bands(
    bitmap: bytes, width_bytes: int, height: int, band: int = 24, mode: int = 0
) -> Iterator[bytes]:
    """GS v 0 raster image, split into bands of `band` dot rows.

    Why bands: clone printers have small input buffers and garble one large GS v 0 block; a band of
    24–64 rows each with its own header prints the same picture on every model.
    `bitmap`: rows top to bottom, MSB = leftmost dot, 1 = black, `width_bytes` bytes per row.
    """
    if len(bitmap) != width_bytes * height:
        raise ValueError("bitmap size does not match width_bytes × height")
    if not 1 <= band <= 2303:
        raise ValueError("band must be 1…2303 rows")
    _byte(mode, 0, 3, "raster mode")
    for top in range(0, height, band):
        rows = min(band, height - top)
        chunk = bitmap[top * width_bytes : (top + rows) * width_bytes]
        header = GS + b"v0" + bytes([mode, width_bytes & 0xFF, width_bytes >> 8])
        yield header + bytes([rows & 0xFF, rows >> 8]) + chunk


def status_request(n: int) -> bytes:
    """DLE EOT n — real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper sensor).
    Answered at once with one byte, even in the middle of a job."""
    return DLE + b"\x04" + _byte(n, 1, 4, "status type")


def asb(drawer: bool = False, online: bool = True, error: bool = True, paper: bool = True) -> bytes:
    """GS a n — automatic status back: the printer sends a 4-byte block on every change."""
    n = (1 if drawer else 0) | (2 if online else 0) | (4 if error else 0) | (8 if paper else 0)
    return GS + b"a" + bytes([n])


def completion_request(job_id: bytes) -> bytes:
    """GS ( H fn 48 m 48 — the printer replies 37 22 d1 d2 d3 d4 00 when everything before it
    has been printed: "printed" then means printed, not "sent"."""
    if len(job_id) != 4 or any(not 0x30 <= b <= 0x7E for b in job_id):
        raise ValueError("job id must be 4 printable ASCII bytes")
    return GS + b"(H\x06\x00\x30\x30" + job_id


def recover(clear_buffers: bool = True) -> bytes:
    """DLE ENQ n — recover from a recoverable error: 2 clears receive/print buffers first,
    1 restarts from the line where the error happened (Epson numbering)."""
    return DLE + b"\x05" + (b"\x02" if clear_buffers else b"\x01")


def clear_buffers() -> bytes:
    """DLE DC4 fn 8 (d1…d7 = 1 3 20 1 6 2 8) — real-time: empty the receive and print buffers, even
    while offline or in error; the printer answers 37 25 00 when done (Epson, Citizen manuals)."""
    return DLE + b"\x14\x08\x01\x03\x14\x01\x06\x02\x08"


def user_defined(y: int, first: int, glyphs: list[tuple[int, bytes]]) -> bytes:
    """ESC & y c1 c2 [x d1…d(y·x)]… — download glyphs for codes first…first+len−1 (32–126).

    Each glyph is (x = width in dots, y·x bytes column by column, MSB the top dot)."""
    _byte(y, 1, 3, "glyph height in bytes")
    last = first + len(glyphs) - 1
    if not glyphs or not 32 <= first <= last <= 126:
        raise ValueError("user-defined codes must be within 32…126")
    out = bytearray(ESC + b"&" + bytes([y, first, last]))
    for x, data in glyphs:
        _byte(x, 0, 12, "glyph width")
        if len(data) != x * y:
            raise ValueError("glyph data must be y × x bytes")
        out += bytes([x]) + data
    return bytes(out)


def user_defined_set(on: bool) -> bytes:
    """ESC % n — n bit 0: print codes that have a user-defined glyph with it (1) or not (0)."""
    return ESC + b"%" + (b"\x01" if on else b"\x00")
