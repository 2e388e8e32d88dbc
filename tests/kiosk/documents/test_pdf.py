"""The A4 PDF: its text (pypdf and pdftotext) in English and Welsh with ŵ/ŷ intact, a PNG of each
page (pdftoppm), the vector QR read back from the pixels, no personal data, a clear font error."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from io import BytesIO

import pytest
from documents_support import OFFICE, PII_FORMS, flat
from PIL import Image
from pypdf import PdfReader

from kiosk.documents import (
    DocumentKind,
    FontMissingError,
    build_document,
    print_pdf,
    qr_matrix,
    to_pdf,
)
from kiosk.documents.pdf import PAGE_H, QR_BOX
from kiosk.references import make_case_reference, make_resume_code

TODAY = date(2026, 11, 23)
DPI = 150


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (Debian package poppler-utils) — PDF not checked by it")


def make(catalogue, submission, kind=DocumentKind.LETTER, **kw):  # type: ignore[no-untyped-def]
    service = catalogue.services[submission.service_id]
    kw.setdefault("reference", make_case_reference("CARDIFF1"))
    return build_document(submission, service, kind, office=OFFICE, today=TODAY, **kw)


def pdftotext(pdf: bytes) -> str:
    need("pdftotext")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.decode("utf-8")


def rasterise(pdf: bytes, stem) -> Image.Image:  # type: ignore[no-untyped-def]
    need("pdftoppm")
    out = subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-", str(stem)],
        input=pdf,
        capture_output=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    return Image.open(stem.with_suffix(".png")).convert("L")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_pdf_text_has_reference_and_next_steps_in_the_language(
    catalogue, letter_submission, artifacts, lang
) -> None:  # type: ignore[no-untyped-def]
    doc = make(catalogue, letter_submission(lang))
    pdf = to_pdf(doc)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == f"{lang}-GB"
    by_pypdf = "\n".join(page.extract_text() for page in reader.pages)
    by_poppler = pdftotext(pdf)
    for text in (by_pypdf, by_poppler):
        assert doc.reference in text
        for step in doc.next_steps:
            assert flat(step) in flat(text), step
        assert flat(doc.heading) in flat(text)
    if lang == "cy":
        for text in (by_pypdf, by_poppler):
            assert "Tŵr y Dref" in text and "ynglŷn â’r" in flat(text)  # ŵ, ŷ, â, ’ themselves
            assert "Credyd Cynhwysol" in text
    else:
        assert "What happens next" in by_poppler and "Universal Credit" in by_poppler
    for pii in PII_FORMS:
        assert pii not in by_pypdf and pii not in by_poppler, pii
    (artifacts / f"letter-{lang}.pdf").write_bytes(pdf)
    rasterise(pdf, artifacts / f"letter-{lang}")


@pytest.mark.parametrize("payload_kind", ["reference", "url", "resume"])
def test_vector_qr_reads_back_as_the_payloads_matrix(
    catalogue, letter_submission, artifacts, tmp_path, payload_kind
) -> None:  # type: ignore[no-untyped-def]
    """Decoding by comparison: sample the rendered page at every module centre and compare with
    the matrix qrcode makes from the payload (no scanner library needed)."""
    code = make_resume_code()
    kw = {
        "reference": {},
        "url": {"qr_payload": "https://kiosk.example.gov.uk/h/K7Q2X9#" + "s" * 43},
        "resume": {"resume_code": code},
    }[payload_kind]
    kind = DocumentKind.OFFLINE_SLIP if payload_kind == "resume" else DocumentKind.RECEIPT
    doc = make(catalogue, letter_submission("cy"), kind, **kw)
    page = rasterise(to_pdf(doc), tmp_path / "page")
    expected = qr_matrix(doc.qr_payload)
    n = len(expected)
    x0, y0, side = QR_BOX
    px = DPI / 72
    cell = side / n
    seen = tuple(
        tuple(
            page.getpixel(
                (
                    int((x0 + (c + 0.5) * cell) * px),
                    int((PAGE_H - y0 - side + (r + 0.5) * cell) * px),
                )
            )
            < 128
            for c in range(n)
        )
        for r in range(n)
    )
    assert seen == expected
    if payload_kind == "resume":
        assert doc.qr_payload == code
        page.save(artifacts / "offline-slip-cy-a4.png")
    # a different payload gives a different picture: the comparison can fail
    assert qr_matrix(doc.qr_payload + "x") != seen


def test_pdf_is_reproducible_and_small(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    doc = make(catalogue, letter_submission("en"))
    first = to_pdf(doc)
    assert to_pdf(doc) == first  # invariant mode: same document, same bytes
    assert len(first) < 120_000  # a font subset and vectors, not page images


def test_missing_font_is_a_clear_error(catalogue, letter_submission, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = make(catalogue, letter_submission("cy"))
    with pytest.raises(FontMissingError, match="fonts-dejavu-core"):
        to_pdf(doc, font=tmp_path / "DejaVuSans.ttf")
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"not a font")
    with pytest.raises(FontMissingError, match="cannot use font"):
        to_pdf(doc, font=broken)


def test_print_pdf_hands_the_pdf_to_the_document_printer_with_a_plain_title(
    catalogue, letter_submission
) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[bytes, str, float | None]] = []

    class Printer:  # the one method of peripherals.cups DocumentPrinter that print_pdf calls
        def print_pdf(self, pdf: bytes, title: str, timeout: float | None = None) -> str:
            sent.append((pdf, title, timeout))
            return "job-info"

    doc = make(catalogue, letter_submission("en"))
    assert print_pdf(Printer(), doc, timeout=5.0) == "job-info"  # type: ignore[arg-type]
    ((pdf, title, timeout),) = sent
    assert pdf == to_pdf(doc) and timeout == 5.0
    assert title == f"kiosk letter {doc.reference}"
