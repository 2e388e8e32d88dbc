"""What the emulated receipt printer put on paper, and how people and tests get to see it.

A PrintedReceipt is a list of elements (text lines with their style, QR codes, raster bands, blank
feeds) between two cuts. `text()` gives a plain-text picture (alignment applied, QR as a marker line);
`image()` gives a Pillow image at the printer's width: text in a monospace font, the QR drawn as a
real, scannable QR code (qrcode package), raster bands as the dots they describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Feed", "PrintedReceipt", "QrElement", "RasterElement", "TextLine"]

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/noto")


@dataclass(frozen=True)
class TextLine:
    text: str
    bold: bool = False
    align: int = 0
    width: int = 1
    height: int = 1
    underline: int = 0


@dataclass(frozen=True)
class QrElement:
    data: bytes
    module_size: int = 3
    ecc: str = "M"
    align: int = 0


@dataclass(frozen=True)
class RasterElement:
    width_bytes: int
    height: int
    bitmap: bytes
    align: int = 0


@dataclass(frozen=True)
class Feed:
    lines: int


Element = TextLine | QrElement | RasterElement | Feed


@dataclass
class PrintedReceipt:
    width_chars: int = 48
    width_dots: int = 576
    elements: list[Element] = field(default_factory=list)
    cut: str | None = None  # "full" / "partial" once cut

    @property
    def lines(self) -> list[TextLine]:
        return [e for e in self.elements if isinstance(e, TextLine)]

    @property
    def qr_codes(self) -> list[QrElement]:
        return [e for e in self.elements if isinstance(e, QrElement)]

    def text(self) -> str:
        out: list[str] = []
        for e in self.elements:
            if isinstance(e, TextLine):
                cols = max(1, self.width_chars // e.width)
                s = e.text[:cols]
                s = (s.center if e.align == 1 else s.rjust if e.align == 2 else s.ljust)(cols)
                out.append(s.rstrip())
            elif isinstance(e, QrElement):
                out.append(f"[QR {e.data.decode('latin-1')}]")
            elif isinstance(e, RasterElement):
                out.append(f"[image {e.width_bytes * 8}x{e.height}]")
            else:
                out.extend([""] * e.lines)
        if self.cut:
            out.append(f"--- {self.cut} cut ---")
        return "\n".join(out)

    def image(self) -> Any:
        """A Pillow image of the receipt (1 px = 1 dot)."""
        from PIL import Image

        w = self.width_dots
        cell = w // self.width_chars
        pieces: list[Any] = []
        for e in self.elements:
            if isinstance(e, TextLine):
                pieces.append(_text_image(e, w, cell, self.width_chars))
            elif isinstance(e, QrElement):
                pieces.append(_qr_image(e, w))
            elif isinstance(e, RasterElement):
                pieces.append(_raster_image(e, w))
            else:
                pieces.append(Image.new("1", (w, cell * 2 * e.lines), 1))
        height = sum(p.height for p in pieces) or 1
        page = Image.new("1", (w, height), 1)
        y = 0
        for p in pieces:
            page.paste(p, (0, y))
            y += p.height
        return page

    def save_png(self, path: Path | str) -> Path:
        path = Path(path)
        self.image().save(path)
        return path


def _text_image(e: TextLine, w: int, cell: int, width_chars: int) -> Any:
    """One text line: glyphs drawn at the line's height, then stretched to its width factor."""
    from PIL import Image, ImageDraw

    font = _font(cell, e.bold, e.height)  # advance ≈ cell × height
    line_h = int(cell * 2 * e.height)
    s = e.text[: max(1, width_chars // e.width)]
    drawn_w = max(1, int(ImageDraw.Draw(Image.new("1", (1, 1))).textlength(s, font=font)) + 1)
    glyphs = Image.new("1", (drawn_w, line_h), 1)
    ImageDraw.Draw(glyphs).text((0, 0), s, font=font, fill=0)
    target_w = min(w, max(1, len(s) * cell * e.width))
    if target_w != drawn_w:
        glyphs = glyphs.resize((target_w, line_h))
    img = Image.new("1", (w, line_h), 1)
    x = {0: 0, 1: (w - target_w) // 2, 2: w - target_w}.get(e.align, 0)
    img.paste(glyphs, (x, 0))
    return img


def _font(cell: int, bold: bool, height: int) -> Any:
    from PIL import ImageFont

    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for d in FONT_DIRS:
        p = Path(d) / name
        if p.exists():
            # DejaVu Sans Mono advance ≈ 0.6 em: pick the em size that fills one cell
            return ImageFont.truetype(str(p), int(cell / 0.6) * height)
    return ImageFont.load_default()


def _place(img: Any, w: int, align: int) -> Any:
    from PIL import Image

    canvas = Image.new("1", (w, img.height), 1)
    x = {0: 0, 1: (w - img.width) // 2, 2: w - img.width}.get(align, 0)
    canvas.paste(img, (max(0, x), 0))
    return canvas


def _qr_image(e: QrElement, w: int) -> Any:
    import qrcode
    import qrcode.constants as qc

    levels = {
        "L": qc.ERROR_CORRECT_L,
        "M": qc.ERROR_CORRECT_M,
        "Q": qc.ERROR_CORRECT_Q,
        "H": qc.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(
        error_correction=levels.get(e.ecc, qc.ERROR_CORRECT_M),
        box_size=max(1, e.module_size),
        border=4,
    )
    code.add_data(e.data)
    code.make(fit=True)
    img = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    return _place(img, w, e.align)


def _raster_image(e: RasterElement, w: int) -> Any:
    from PIL import Image

    img = Image.frombytes("1", (e.width_bytes * 8, e.height), bytes(b ^ 0xFF for b in e.bitmap))
    return _place(img, w, e.align)
