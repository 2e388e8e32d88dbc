"""The readiness report as an A4 PDF: verdict band, one row per check, device statistics.

House style of ``kiosk.documents.pdf``: drawn straight on a reportlab canvas, DejaVu Sans embedded
(registered once per process by that module), A4 with 20 mm margins, ``invariant`` output so the
same report gives the same bytes. Rows that do not fit continue on a new page with the footer
repeated. Each check's name and verdict share one baseline, so ``pdftotext -layout`` keeps them on
one line (the tests read the report that way).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.diagnostics.checks import VERDICTS
from kiosk.documents.errors import RenderError
from kiosk.documents.pdf import FONT_PATH, MARGIN, MM, PAGE_H, PAGE_W, TEXT_W, register_fonts

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.diagnostics.readiness import ReadinessReport

__all__ = ["render_pdf"]

GREEN = (0.0, 0.439, 0.235)  # #00703c: white text on it is 6.2:1
RED = (0.706, 0.165, 0.086)  # #b52a16, as the kiosk's error colour
GREY = (0.314, 0.353, 0.373)  # #505a5f
RULE = (0.694, 0.706, 0.714)
VERDICT_COLOUR = {"ok": GREEN, "fault": RED, "not_checked": GREY}
NAME_W, VERDICT_W = 46 * MM, 31 * MM  # "NOT CHECKED" in bold 10 pt is 28.2 mm wide
STATS_NAME_W = 36 * MM
BOTTOM = MARGIN + 12 * MM  # room for the footer


class _Page:
    """A cursor over pages: ``need(h)`` starts a new page when ``h`` points do not fit."""

    def __init__(self, cv: Canvas, report: ReadinessReport, regular: str, bold: str) -> None:
        self.cv, self.report, self.regular, self.bold = cv, report, regular, bold
        self.number = 1
        self.y = PAGE_H - MARGIN

    def footer(self) -> None:
        self.cv.setFillColorRGB(*GREY)
        self.cv.setFont(self.regular, 8)
        text = f"Kiosk {self.report.kiosk_id} · contains no personal data · page {self.number}"
        self.cv.drawString(MARGIN, MARGIN, text)
        self.cv.setFillColorRGB(0, 0, 0)

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.footer()
            self.cv.showPage()
            self.number += 1
            self.y = PAGE_H - MARGIN

    def text(self, s: str, size: float, *, bold: bool = False, x: float = MARGIN) -> None:
        self.need(size * 1.4)
        self.cv.setFont(self.bold if bold else self.regular, size)
        self.cv.drawString(x, self.y - size, s)
        self.y -= size * 1.4

    def heading(self, s: str) -> None:
        self.y -= 6 * MM
        self.need(14 * 1.4 + 12 * MM)  # a heading never sits alone at the foot of a page
        self.text(s, 14, bold=True)
        self.y -= 2 * MM


def render_pdf(report: ReadinessReport, *, font: Path | str = FONT_PATH) -> bytes:
    """The PDF bytes; FontMissingError without the font, RenderError when reportlab fails."""
    regular, bold = register_fonts(Path(font))
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    try:
        cv = Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1, lang="en-GB")
        cv.setTitle(f"Readiness report {report.kiosk_id}")
        cv.setSubject(report.verdict)
        cv.setAuthor(report.office or report.kiosk_id)
        page = _Page(cv, report, regular, bold)
        _header(page)
        _checks(page)
        _statistics(page)
        _link(page)
        page.footer()
        cv.showPage()
        cv.save()
    except (ValueError, KeyError, OSError) as exc:
        raise RenderError(f"cannot render the readiness report: {exc}") from exc
    return buf.getvalue()


def _header(page: _Page) -> None:
    r = page.report
    page.text("Kiosk readiness report", 20, bold=True)
    page.y -= 2 * MM
    page.text(f"Kiosk {r.kiosk_id}" + (f" · {r.office}" if r.office else ""), 11)
    when = r.created_at.strftime("%Y-%m-%d %H:%M UTC")
    page.text(f"{when} · health check level: {r.level}", 11)
    page.y -= 4 * MM
    band = 14 * MM
    page.cv.setFillColorRGB(*(GREEN if r.healthy else RED))
    page.cv.rect(MARGIN, page.y - band, TEXT_W, band, stroke=0, fill=1)
    page.cv.setFillColorRGB(1, 1, 1)
    page.cv.setFont(page.bold, 16)
    words = "READY: every check passed" if r.healthy else r.verdict
    page.cv.drawString(MARGIN + 5 * MM, page.y - band / 2 - 5.5, words)
    page.cv.setFillColorRGB(0, 0, 0)
    page.y -= band


def _checks(page: _Page) -> None:
    from reportlab.lib.utils import simpleSplit

    cv = page.cv
    page.heading("Checks")
    detail_x = MARGIN + NAME_W + VERDICT_W
    detail_w = TEXT_W - NAME_W - VERDICT_W
    for check in page.report.checks:
        lines = simpleSplit(check.sentence, page.regular, 9.5, detail_w) or [""]
        kind = "" if check.kind == check.name else check.kind
        kind_lines = simpleSplit(kind, page.regular, 8, NAME_W - 3 * MM) if kind else []
        height = max(len(lines) * 12.5, 12 + len(kind_lines) * 10) + 3 * MM
        page.need(height)
        base = page.y - 11
        cv.setFont(page.bold, 10)
        cv.drawString(MARGIN, base, check.name[:40])
        cv.setFillColorRGB(*VERDICT_COLOUR.get(check.status, GREY))
        cv.drawString(MARGIN + NAME_W, base, _verdict(check.status))
        cv.setFillColorRGB(0, 0, 0)
        cv.setFont(page.regular, 9.5)
        for i, line in enumerate(lines):
            cv.drawString(detail_x, base - i * 12.5, line)
        cv.setFillColorRGB(*GREY)
        cv.setFont(page.regular, 8)
        for i, line in enumerate(kind_lines):
            cv.drawString(MARGIN, base - 12 - i * 10, line)
        cv.setFillColorRGB(0, 0, 0)
        page.y -= height
        cv.setStrokeColorRGB(*RULE)
        cv.setLineWidth(0.5)
        cv.line(MARGIN, page.y + 1.5 * MM, MARGIN + TEXT_W, page.y + 1.5 * MM)


def _verdict(status: str) -> str:
    return VERDICTS.get(status, status.upper())


def _statistics(page: _Page) -> None:
    r = page.report
    if not r.statistics:
        return
    cv = page.cv
    page.heading("Device statistics")
    names = r.counter_names()
    col_w = (TEXT_W - STATS_NAME_W) / len(names)
    page.need(40)
    cv.setFont(page.bold, 8)
    for i, name in enumerate(names):  # "read_errors" → "read" over "errors"
        x = MARGIN + STATS_NAME_W + (i + 1) * col_w - 2
        for j, word in enumerate(reversed(name.split("_"))):
            cv.drawRightString(x, page.y - 19 + j * 10, word)
    page.y -= 24
    for device, counters in sorted(r.statistics.items()):
        page.need(14)
        cv.setFont(page.regular, 9.5)
        cv.drawString(MARGIN, page.y - 10, device[:40])
        for i, name in enumerate(names):
            value = counters.get(name)
            shown = "–" if value is None else f"{value:,}"
            cv.drawRightString(MARGIN + STATS_NAME_W + (i + 1) * col_w - 2, page.y - 10, shown)
        page.y -= 14


def _link(page: _Page) -> None:
    r = page.report
    page.heading("Central link and outbox")
    latency = r.central_latency_ms
    page.text(
        "Central round trip: " + ("no answer" if latency is None else f"{latency:g} ms"), 10.5
    )
    depth = r.outbox_depth
    waiting = "not checked" if depth is None else f"{depth} waiting to be sent"
    page.text(f"Outbox: {waiting}, {r.outbox_refused} refused by central", 10.5)
