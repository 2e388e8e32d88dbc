"""The QR helper: a matrix that qrcode agrees with, a PNG whose pixels are that matrix, errors."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from kiosk.documents import RenderError, qr_matrix, qr_png

PAYLOAD = "https://kiosk.example.gov.uk/h/K7Q2X9#" + "s" * 43


def test_matrix_is_square_with_finder_patterns() -> None:
    m = qr_matrix(PAYLOAD)
    n = len(m)
    assert all(len(row) == n for row in m) and (n - 17) % 4 == 0  # a real QR version size
    finder = [row[:7] for row in m[:7]]
    assert finder[0] == (True,) * 7 and finder[1] == (True,) + (False,) * 5 + (True,)
    assert qr_matrix(PAYLOAD) is m  # cached: rendering the PDF twice builds it once


def test_fixed_mask_changes_data_modules_only() -> None:
    best, fixed = qr_matrix(PAYLOAD), qr_matrix(PAYLOAD, mask=0)
    assert len(best) == len(fixed)
    assert [row[:7] for row in best[:7]] == [row[:7] for row in fixed[:7]]


@pytest.mark.parametrize("scale,border", [(8, 4), (3, 2)])
def test_png_pixels_are_the_matrix(scale: int, border: int) -> None:
    m = qr_matrix(PAYLOAD)
    img = Image.open(BytesIO(qr_png(PAYLOAD, scale=scale, border=border))).convert("L")
    n = len(m)
    assert img.size == ((n + 2 * border) * scale,) * 2
    off = border * scale + scale // 2
    seen = tuple(
        tuple(img.getpixel((off + c * scale, off + r * scale)) < 128 for c in range(n))
        for r in range(n)
    )
    assert seen == m
    assert img.getpixel((0, 0)) == 255  # quiet zone


@pytest.mark.parametrize(("payload", "ecc"), [("", "M"), ("x", "Z"), ("x" * 5000, "H")])
def test_bad_requests_are_render_errors(payload: str, ecc: str) -> None:
    with pytest.raises(RenderError):
        qr_matrix(payload, ecc)
