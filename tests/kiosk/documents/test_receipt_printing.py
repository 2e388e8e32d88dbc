"""Documents printed as receipts on the emulated printer over a pty: what the paper shows, the
QR command's bytes, Welsh letters per profile, and no personal data in any byte sent."""

from __future__ import annotations

from datetime import date

import pytest
from documents_support import OFFICE, PII_FORMS, flat

from kiosk.documents import DocumentKind, build_document, print_receipt, to_receipt
from kiosk.documents.receipt import fold_punctuation
from kiosk.references import make_case_reference, make_resume_code
from peripherals.escpos import commands as cmd
from peripherals.escpos.profiles import get_profile
from peripherals.escpos.render import render_receipt

TODAY = date(2026, 11, 23)


def qr_store(payload: str) -> bytes:
    data = payload.encode("utf-8")
    k = len(data) + 3
    return bytes.fromhex("1D286B") + bytes([k & 0xFF, k >> 8]) + b"\x31\x50\x30" + data


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_receipt_on_the_emulator_shows_reference_next_steps_and_qr(
    catalogue, letter_submission, printer_pair, artifacts, lang
) -> None:  # type: ignore[no-untyped-def]
    emu, printer = printer_pair
    sub = letter_submission(lang)
    service = catalogue.services[sub.service_id]
    ref = make_case_reference("CARDIFF1")
    doc = build_document(
        sub, service, DocumentKind.RECEIPT, reference=ref, office=OFFICE, today=TODAY
    )

    job = print_receipt(printer, doc)

    assert job and emu.completions  # the printer confirmed the job (GS ( H reply)
    assert len(emu.receipts) == 1
    paper = emu.receipts[0]
    text = paper.text()
    assert ref in text
    for step in doc.next_steps:
        assert flat(fold_punctuation(step)) in flat(text), step
    assert flat(doc.heading) in flat(text)
    assert [q.data for q in paper.qr_codes] == [ref.encode()]
    assert qr_store(ref) + cmd.qr(ref.encode())[-8:] in bytes(emu.received)
    if lang == "cy":
        assert "Tŵr y Dref" in text and "ynglŷn" in text  # ISO-8859-14 on the emulator profile
        assert service.title.cy in text
    for pii in PII_FORMS:
        assert pii.encode() not in bytes(emu.received), pii
        assert pii not in text
    stem = artifacts / f"receipt-{lang}"
    stem.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    paper.save_png(stem.with_suffix(".png"))


def test_offline_slip_prints_resume_code_and_its_qr(
    catalogue, letter_submission, printer_pair, artifacts
) -> None:  # type: ignore[no-untyped-def]
    emu, printer = printer_pair
    sub = letter_submission("cy")
    code = make_resume_code()
    ref = make_case_reference("CARDIFF1")
    doc = build_document(
        sub,
        catalogue.services[sub.service_id],
        DocumentKind.OFFLINE_SLIP,
        reference=ref,
        office=OFFICE,
        today=TODAY,
        resume_code=code,
    )
    print_receipt(printer, doc)
    text = emu.receipts[0].text()
    assert code in text and ref in text
    assert flat("Nid oedd y ciosg yn gallu cysylltu â'n system.") in flat(text)
    assert [q.data for q in emu.receipts[0].qr_codes] == [code.encode()]
    emu.receipts[0].save_png(artifacts / "offline-slip-cy.png")


def test_welsh_letters_follow_each_profile(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    """The emulator profile has ISO-8859-14 (ŵ = F0, ŷ = FE, â = E2); a real TM-T20 profile does
    not, so ŵ/ŷ are printed there as user-defined characters (ESC % 1, the code the glyph was
    downloaded to with ESC &, ESC % 0) while â (in CP858) is its own byte — never a '?', never
    a plain w or y."""
    sub = letter_submission("cy")
    doc = build_document(
        sub,
        catalogue.services[sub.service_id],
        "receipt",
        reference=make_case_reference("X1"),
        office=OFFICE,
        today=TODAY,
    )
    native = render_receipt(to_receipt(doc, 48), get_profile("kiosk-emulator"))
    assert "Tŵr".encode("iso8859_14") == b"T\xf0r" and b"T\xf0r y Dref" in native
    assert b"yngl\xfen \xe2" in native
    assert cmd.code_page(99) in native
    fallback = render_receipt(to_receipt(doc, 48), get_profile("default"))
    udc_on, udc_off = b"\x1b%\x01", b"\x1b%\x00"  # ESC % n: user-defined set on / off
    assert b"\x1b&\x03" in fallback  # ESC & y=3 (24-dot font A glyphs) downloaded first
    assert b"T" + udc_on + b"!" + udc_off + b"r y Dref" in fallback  # ŵ at code 0x21
    assert b"yngl" + udc_on + b'"' + udc_off + "n â".encode("cp858") in fallback  # ŷ at 0x22
    assert b"Twr y Dref" not in fallback and b"ynglyn" not in fallback
    for mangled in (b"T?r", b"yngl?n", b"\xe2?r", b"?r cais"):
        assert mangled not in fallback and mangled not in native


def test_lines_are_wrapped_to_the_paper_width(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    sub = letter_submission("en")
    doc = build_document(
        sub,
        catalogue.services[sub.service_id],
        "staff_ticket",
        reference=make_case_reference("ABCDEFGHJKMN"),
        office=OFFICE,
        today=TODAY,
    )
    for width in (32, 42, 48):
        receipt = to_receipt(doc, width)
        lines = [i for i in receipt.items if hasattr(i, "text")]
        assert all(len(line.text) * line.width <= width for line in lines), width
        joined = flat(" ".join(line.text for line in lines))
        assert flat(fold_punctuation(doc.next_steps[0])) in joined and doc.reference in joined
