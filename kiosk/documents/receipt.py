"""A document as an ESC/POS receipt (peripherals.escpos): big reference, native QR, next steps.

Lines are wrapped here, at word boundaries, to the printer's width in characters: printers wrap
mid-word, and the emulator's text view cuts. Welsh letters are the profile's business
(peripherals.escpos.profiles): a line with ŵ/ŷ goes out in ISO-8859-14 where the model has it,
else as the profile's fallback (drop the diacritic only on those letters, or print the line as a
picture). Typographic punctuation (’ “ ” – … —) is folded to ASCII *before* wrapping, with the ESC/POS
layer's own table (:func:`peripherals.escpos.profiles.fold_punctuation`): … becomes three characters,
so the width must be measured on the folded text. The QR goes out as the printer's own QR command, so
it costs ~payload + 40 bytes.
"""

from __future__ import annotations

import textwrap

from kiosk.documents.model import Document
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.profiles import fold_punctuation
from peripherals.escpos.receipt import AlignName, Feed, Line, Qr, Receipt

__all__ = ["fold_punctuation", "print_receipt", "to_receipt"]


def to_receipt(doc: Document, width_chars: int = 48) -> Receipt:
    """The receipt for ``doc`` on paper ``width_chars`` characters wide (the profile's)."""
    r = Receipt()

    def text(
        s: str,
        *,
        bold: bool = False,
        align: AlignName = "left",
        big: bool = False,
        indent: str = "",
    ) -> None:
        size = 2 if big and len(s) * 2 <= width_chars else 1
        cols = max(8, width_chars // size)
        folded = fold_punctuation(s)
        wrapped = textwrap.wrap(
            folded, cols, break_on_hyphens=False, initial_indent=indent, subsequent_indent=indent
        )
        for part in wrapped or [""]:
            r.add(Line(part, bold=bold, align=align, width=size, height=2 if big else 1))

    text(doc.office, align="center")
    text(doc.date_text, align="center")
    r.add(Feed(1))
    text(doc.heading, bold=True, align="center", big=True)
    text(doc.service_title, bold=True, align="center")
    r.add(Feed(1))
    text(doc.reference_label, align="center")
    text(doc.reference, bold=True, align="center", big=True)
    if doc.resume_code:
        r.add(Feed(1))
        text(doc.resume_label, align="center")
        text(doc.resume_code, bold=True, align="center", big=True)
    r.add(Feed(1))
    r.add(Qr(doc.qr_payload, module_size=6 if width_chars >= 40 else 4, ecc="M"))
    text(doc.qr_caption, align="center")
    if doc.details:
        r.add(Feed(1))
        text(doc.details_label, bold=True)
        for label, value in doc.details:
            text(label)
            text(value, bold=True, indent="  ")
    r.add(Feed(1))
    text(doc.next_steps_label, bold=True)
    for step in doc.next_steps:
        text(step)
    r.add(Feed(1))
    text(doc.footer)
    return r


def print_receipt(printer: ReceiptPrinter, doc: Document, timeout: float | None = None) -> str:
    """Print ``doc`` on ``printer`` and wait for the printer's confirmation; the job id.

    The driver's errors (DeviceFault with an action hint, DeviceUnavailable, DeviceTimeout) pass
    through unchanged: the session decides what to tell the citizen from the hint.
    """
    return printer.print_receipt(to_receipt(doc, printer.profile.width_chars), timeout)
