"""QR codes for documents: the module matrix (for vector drawing in the PDF) and a PNG.

Fast because of two choices: the matrix is cached per (payload, ecc) — a document is usually
rendered more than once (screen, receipt, PDF) — and the mask can be fixed. qrcode's default
tries all eight masks and scores each (~15 ms in pure Python); any mask is valid to every reader,
the best one only lowers the chance of large same-colour areas. Default: the best mask (what the
standard recommends), with ``mask=0..7`` for callers that need a code in ~3 ms. The receipt does
not use this module at all: the printer draws its QR itself from the payload (GS ( k).
"""

from __future__ import annotations

import io
from functools import lru_cache

from kiosk.documents.errors import RenderError

__all__ = ["Matrix", "qr_matrix", "qr_png"]

Matrix = tuple[tuple[bool, ...], ...]
"""Rows of modules, top to bottom; True = dark. No quiet zone (draw it as margin)."""

_ECC = {"L": 1, "M": 0, "Q": 3, "H": 2}  # qrcode.constants values


@lru_cache(maxsize=64)
def qr_matrix(payload: str, ecc: str = "M", mask: int | None = None) -> Matrix:
    """The QR module matrix of ``payload`` (UTF-8), smallest version that fits."""
    import qrcode
    from qrcode.exceptions import DataOverflowError

    if ecc not in _ECC:
        raise RenderError(f"QR error correction must be one of {', '.join(_ECC)}")
    if not payload:
        raise RenderError("a QR code needs a payload")
    try:
        code = qrcode.QRCode(error_correction=_ECC[ecc], border=0, mask_pattern=mask)
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
    except (DataOverflowError, ValueError, TypeError) as exc:
        raise RenderError(f"cannot make a QR code: {exc}") from exc
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


def qr_png(payload: str, *, scale: int = 8, border: int = 4, ecc: str = "M") -> bytes:
    """A PNG of the QR code: ``scale`` pixels a module, ``border`` modules of quiet zone."""
    from PIL import Image

    matrix = qr_matrix(payload, ecc)
    n = len(matrix)
    side = n + 2 * border
    bits = bytearray(b"\xff" * (side * side))
    for y, row in enumerate(matrix):
        base = (y + border) * side + border
        for x, dark in enumerate(row):
            if dark:
                bits[base + x] = 0
    small = Image.frombytes("L", (side, side), bytes(bits))
    img = small.resize((side * scale, side * scale), Image.Resampling.NEAREST).convert("1")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
