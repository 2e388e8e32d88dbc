"""A document as an A4 PDF (reportlab) for the document printer (CUPS).

Drawn straight on a canvas — the layout is fixed, and a flowable engine would cost several times
the time. Text is set in DejaVu Sans, embedded (as a subset), because the 14 PDF base fonts have
no ŵ or ŷ. The QR code is drawn as vector rectangles from the module matrix (one rectangle per run
of dark modules in a row), so it is sharp at any printer resolution and adds ~1 kB, not a bitmap.
``QR_BOX`` says where it is, so a test can find it again on a rasterised page.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.documents.errors import FontMissingError, RenderError
from kiosk.documents.model import Document
from kiosk.documents.qr import qr_matrix

if TYPE_CHECKING:  # reportlab is imported lazily: only a kiosk that prints A4 pays for it
    from reportlab.pdfgen.canvas import Canvas

    from peripherals.cups.client import JobInfo
    from peripherals.cups.driver import DocumentPrinter

__all__ = ["FONT_PATH", "QR_BOX", "print_pdf", "to_pdf"]

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
"""Regular face; the bold face is looked for beside it (``DejaVuSans-Bold.ttf``), optional."""
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points (reportlab.lib.pagesizes.A4)
MM = 72 / 25.4
MARGIN = 20 * MM
QR_SIZE = 45 * MM
QR_BOX = (PAGE_W - MARGIN - QR_SIZE, PAGE_H - MARGIN - QR_SIZE, QR_SIZE)
"""(x, y of the lower-left corner, side) of the QR code's modules, in points from the bottom left."""
TEXT_W = PAGE_W - 2 * MARGIN

_registered: dict[Path, tuple[str, str]] = {}
_register_lock = threading.Lock()


def _fonts(path: Path) -> tuple[str, str]:
    """Register the regular (and bold, when present) faces once per process; their names."""
    with _register_lock:
        if path not in _registered:
            _registered[path] = _register(path)
        return _registered[path]


def _register(path: Path) -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not path.is_file():
        raise FontMissingError(
            f"font {path} not found: it is needed for the Welsh letters ŵ and ŷ; "
            "install the Debian package fonts-dejavu-core (or pass font=PATH to another TTF)"
        )
    bold_path = path.with_name(path.stem + "-Bold" + path.suffix)
    key = f"Kiosk{len(_registered)}"
    try:
        pdfmetrics.registerFont(TTFont(key, str(path)))
        bold = key
        if bold_path.is_file():
            pdfmetrics.registerFont(TTFont(key + "-Bold", str(bold_path)))
            bold = key + "-Bold"
    except (TTFError, OSError) as exc:
        raise FontMissingError(f"cannot use font {path}: {exc}") from exc
    return key, bold


def to_pdf(doc: Document, *, font: Path | str = FONT_PATH) -> bytes:
    """The A4 PDF of ``doc`` (one page). FontMissingError when the font is absent; RenderError
    when reportlab fails."""
    regular, bold = _fonts(Path(font))
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    try:
        c = Canvas(
            buf,
            pagesize=(PAGE_W, PAGE_H),
            pageCompression=1,
            invariant=1,
            lang=f"{doc.language}-GB",  # /Lang: screen readers pick the Welsh voice
        )
        c.setTitle(f"{doc.heading} – {doc.reference}")
        c.setSubject(doc.service_title)
        c.setAuthor(doc.office)
        _draw(c, doc, regular, bold)
        c.showPage()
        c.save()
    except (ValueError, KeyError, OSError) as exc:  # reportlab's own errors are ValueErrors
        raise RenderError(f"cannot render the PDF: {exc}") from exc
    return buf.getvalue()


def _draw(cv: Canvas, doc: Document, regular: str, bold: str) -> None:
    from reportlab.lib.utils import simpleSplit

    qx, qy, qs = QR_BOX
    top = PAGE_H - MARGIN
    left_w = qx - MARGIN - 8 * MM  # text beside the QR code

    def para(text: str, y: float, face: str, size: float, width: float = TEXT_W) -> float:
        cv.setFont(face, size)
        for line in simpleSplit(text, face, size, width):
            cv.drawString(MARGIN, y, line)
            y -= size * 1.35
        return y

    y = para(doc.office, top - 10, regular, 11, left_w)
    y = para(doc.date_text, y, regular, 11, left_w) - 14
    y = para(doc.heading, y, bold, 20, left_w) - 2
    y = para(doc.service_title, y, regular, 14, left_w) - 14
    y = para(doc.reference_label, y, regular, 11, left_w) - 8
    y = para(doc.reference, y, bold, 22, left_w) - 6
    if doc.resume_code:
        y = para(doc.resume_label, y, regular, 11, left_w) - 8
        y = para(doc.resume_code, y, bold, 22, left_w) - 6
    _qr(cv, doc.qr_payload, qx, qy, qs)
    cap_y = para_at(cv, doc.qr_caption, qx, qy - 14, regular, 9, qs)
    y = min(y, cap_y) - 16
    if doc.details:
        y = para(doc.details_label, y, bold, 14) - 2
        for label, value in doc.details:
            y = para(label, y, regular, 11)
            y = para(value, y, bold, 12) - 4
        y -= 10
    y = para(doc.next_steps_label, y, bold, 14) - 2
    for step in doc.next_steps:
        y = para(step, y, regular, 12) - 6
    para(doc.footer, MARGIN, regular, 9)


def para_at(cv: Canvas, text: str, x: float, y: float, face: str, size: float, w: float) -> float:
    """Wrapped text at (x, y), width ``w``; the y below it."""
    from reportlab.lib.utils import simpleSplit

    cv.setFont(face, size)
    for line in simpleSplit(text, face, size, w):
        cv.drawString(x, y, line)
        y -= size * 1.3
    return y


def _qr(cv: Canvas, payload: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(payload)
    n = len(matrix)
    cell = size / n
    path = cv.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * cell
        col = 0
        while col < n:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < n and row[col]:
                col += 1
            path.rect(x + start * cell, top, (col - start) * cell, cell)
    cv.setFillColorRGB(0, 0, 0)
    cv.drawPath(path, stroke=0, fill=1)


def print_pdf(printer: DocumentPrinter, doc: Document, timeout: float | None = None) -> JobInfo:
    """Render and print on a peripherals.cups DocumentPrinter; its JobInfo. The CUPS job title
    carries the kind and reference only — never a name."""
    return printer.print_pdf(to_pdf(doc), f"kiosk {doc.kind.value} {doc.reference}", timeout)
