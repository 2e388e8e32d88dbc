"""Documents for the citizen: built once as a model, rendered as an ESC/POS receipt or an A4 PDF.

    doc = build_document(submission, service, DocumentKind.RECEIPT,
                         reference=ref, office=office_name, today=clock.today())
    print_receipt(receipt_printer, doc)      # peripherals.escpos driver, native QR
    print_pdf(document_printer, doc)         # peripherals.cups driver (to_pdf(doc) → bytes)
    speaker.say(" ".join(to_speech(doc)), doc.language)   # the same words, for the ear

Modules: ``model`` (the Document and build_document), ``texts`` (every kiosk-added text in
English and Welsh), ``receipt`` (→ peripherals.escpos Receipt), ``pdf`` (reportlab, embedded
DejaVu Sans, vector QR), ``tagged`` (the PDF's structure tree for PDF/UA-1, with pikepdf), ``qr``
(module matrix and PNG), ``speech`` (the sentences the kiosk's speech reads, codes spelled).

Errors::

    Exception
    └── DocumentError
        ├── DocumentInputError (also ValueError)  unknown language/kind, bad reference or resume
        │                                         code, submission of another service
        └── RenderError                           reportlab/pikepdf/qrcode failed (translated)
            └── FontMissingError                  no DejaVu Sans (Debian: fonts-dejavu-core)

Printer errors (peripherals.errors) pass through print_receipt/print_pdf unchanged.
"""

from kiosk.documents.errors import DocumentError, DocumentInputError, FontMissingError, RenderError
from kiosk.documents.model import Document, DocumentKind, build_document
from kiosk.documents.pdf import print_pdf, to_pdf
from kiosk.documents.qr import qr_matrix, qr_png
from kiosk.documents.receipt import print_receipt, to_receipt
from kiosk.documents.speech import to_speech

__all__ = [
    "Document",
    "DocumentError",
    "DocumentInputError",
    "DocumentKind",
    "FontMissingError",
    "RenderError",
    "build_document",
    "print_pdf",
    "print_receipt",
    "qr_matrix",
    "qr_png",
    "to_pdf",
    "to_receipt",
    "to_speech",
]
