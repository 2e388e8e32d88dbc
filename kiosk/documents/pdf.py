"""A document as an A4 PDF (reportlab) for the document printer (CUPS), tagged for PDF/UA-1.

Drawn straight on a canvas — the layout is fixed, and a flowable engine would cost several times
the time. Text is set in DejaVu Sans, embedded (as a subset), because the 14 PDF base fonts have
no ŵ or ŷ. The QR code is drawn as vector rectangles from the module matrix (one rectangle per run
of dark modules in a row), so it is sharp at any printer resolution and adds ~1 kB, not a bitmap.
``QR_BOX`` says where it is, so a test can find it again on a rasterised page.

Tagged (PDF/UA-1, :mod:`kiosk.documents.tagged`): every paragraph, the QR code and the rule above
the footer are drawn inside marked content, and the structure tree is built from :func:`_outline`
in the letter's reading order (that of :meth:`Document.all_text`, the QR code as a Figure with alt
text just before its caption), so a screen reader reads the letter as the receipt prints it.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.documents.errors import FontMissingError, RenderError
from kiosk.documents.model import Document
from kiosk.documents.qr import qr_matrix
from kiosk.documents.tagged import Marks, Node, tag_pdf
from kiosk.documents.texts import t

if TYPE_CHECKING:  # reportlab is imported lazily: only a kiosk that prints A4 pays for it
    from reportlab.pdfgen.canvas import Canvas

    from peripherals.cups.client import JobInfo
    from peripherals.cups.driver import DocumentPrinter

__all__ = ["FONT_PATH", "QR_BOX", "print_pdf", "register_fonts", "to_pdf"]

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


def register_fonts(path: Path) -> tuple[str, str]:
    """Register the regular (and bold, when present) faces once per process; their names (the
    readiness report draws in the same faces)."""
    with _register_lock:
        if path not in _registered:
            _registered[path] = _register(path)
        return _registered[path]


_fonts = register_fonts  # the older private name (readiness_pdf at HEAD still imports it)


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
    """The A4 PDF of ``doc`` (one page), tagged (PDF/UA-1). FontMissingError when the font is
    absent; RenderError when reportlab or pikepdf fails."""
    regular, bold = register_fonts(Path(font))
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    try:
        c = Canvas(
            buf,
            pagesize=(PAGE_W, PAGE_H),
            pageCompression=1,
            invariant=1,
            initialFontName=regular,  # not Helvetica: PDF/UA wants every font embedded
            lang=f"{doc.language}-GB",  # /Lang: screen readers pick the Welsh voice
        )
        c.setTitle(_title(doc))
        c.setSubject(doc.service_title)
        c.setAuthor(doc.office)
        marks = Marks(c)
        mcids = _draw(c, doc, regular, bold, marks)
        c.showPage()
        c.save()
    except (ValueError, KeyError, OSError) as exc:  # reportlab's own errors are ValueErrors
        raise RenderError(f"cannot render the PDF: {exc}") from exc
    return tag_pdf(
        buf.getvalue(),
        _outline(doc, mcids),
        marks=marks.count,
        lang=f"{doc.language}-GB",
        title=_title(doc),
    )


def _title(doc: Document) -> str:
    return f"{doc.heading} – {doc.reference}"


def _outline(doc: Document, m: dict[str, int]) -> Node:
    """The structure tree, in reading order, over the MCIDs ``_draw`` returned by name."""

    def p(key: str, role: str = "P") -> Node:
        return Node(role, (m[key],))

    kids = [p("office"), p("date"), p("heading", "H1"), p("title"), p("ref_label"), p("ref")]
    kids += [Node("Figure", (m["qr"],), alt=t("qr.alt", doc.language)), p("qr_caption")]
    if doc.resume_code:
        kids += [p("resume_label"), p("resume")]
    if doc.details:
        rows = [
            Node(
                "TR",
                kids=[
                    Node("TH", (m[f"label{i}"],), scope="Row"),
                    Node("TD", (m[f"value{i}"],)),
                ],
            )
            for i in range(len(doc.details))
        ]
        kids += [p("details", "H2"), Node("Table", kids=rows)]
    items = [Node("LI", kids=[Node("LBody", (m[f"step{i}"],))]) for i in range(len(doc.next_steps))]
    kids += [p("next_steps", "H2"), Node("L", kids=items), p("footer")]
    return Node("Document", kids=kids)


def _draw(cv: Canvas, doc: Document, regular: str, bold: str, marks: Marks) -> dict[str, int]:
    """Draw the page; the MCID of each named piece (for :func:`_outline`)."""
    from reportlab.lib.utils import simpleSplit

    qx, qy, qs = QR_BOX
    top = PAGE_H - MARGIN
    left_w = qx - MARGIN - 8 * MM  # text beside the QR code
    mcids: dict[str, int] = {}

    def para(
        key: str,
        text: str,
        y: float,
        face: str,
        size: float,
        width: float = TEXT_W,
        role: str = "P",
    ) -> float:
        with marks.tagged(role) as mcids[key]:
            cv.setFont(face, size)
            for line in simpleSplit(text, face, size, width):
                cv.drawString(MARGIN, y, line)
                y -= size * 1.35
        return y

    y = para("office", doc.office, top - 10, regular, 11, left_w)
    y = para("date", doc.date_text, y, regular, 11, left_w) - 14
    y = para("heading", doc.heading, y, bold, 20, left_w, "H1") - 2
    y = para("title", doc.service_title, y, regular, 14, left_w) - 14
    y = para("ref_label", doc.reference_label, y, regular, 11, left_w) - 8
    y = para("ref", doc.reference, y, bold, 22, left_w) - 6
    if doc.resume_code:
        y = para("resume_label", doc.resume_label, y, regular, 11, left_w) - 8
        y = para("resume", doc.resume_code, y, bold, 22, left_w) - 6
    with marks.tagged("Figure") as mcids["qr"]:
        _qr(cv, doc.qr_payload, qx, qy, qs)
    with marks.tagged("P") as mcids["qr_caption"]:
        cap_y = para_at(cv, doc.qr_caption, qx, qy - 14, regular, 9, qs)
    y = min(y, cap_y) - 16
    if doc.details:
        y = para("details", doc.details_label, y, bold, 14, role="H2") - 2
        for i, (label, value) in enumerate(doc.details):
            y = para(f"label{i}", label, y, regular, 11, role="TH")
            y = para(f"value{i}", value, y, bold, 12, role="TD") - 4
        y -= 10
    y = para("next_steps", doc.next_steps_label, y, bold, 14, role="H2") - 2
    for i, step in enumerate(doc.next_steps):
        y = para(f"step{i}", step, y, regular, 12, role="LBody") - 6
    with marks.artifact():  # a rule above the footer: decoration, not read
        cv.setLineWidth(0.5)
        cv.line(MARGIN, MARGIN + 14, PAGE_W - MARGIN, MARGIN + 14)
    para("footer", doc.footer, MARGIN, regular, 9)
    return mcids


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
