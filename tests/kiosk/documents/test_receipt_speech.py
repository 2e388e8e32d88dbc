"""Receipts read by the kiosk's speech: every line the emulated printer put on paper is heard, in
the same order and language, codes spelled one character at a time, nothing personal, no control
characters; the spoken text goes through the real Speaker into its queue."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from documents_support import OFFICE, PII_FORMS, flat

from kiosk.documents import DocumentKind, build_document, print_receipt, to_speech
from kiosk.documents.receipt import fold_punctuation
from kiosk.references import make_case_reference, make_resume_code
from kiosk.ui.speech import Speaker

TODAY = date(2026, 11, 23)


def printed_and_spoken(catalogue, submission, printer_pair, kind, **kw):  # type: ignore[no-untyped-def]
    emu, printer = printer_pair
    service = catalogue.services[submission.service_id]
    doc = build_document(
        submission,
        service,
        kind,
        reference=make_case_reference("CARDIFF1"),
        office=OFFICE,
        today=TODAY,
        **kw,
    )
    print_receipt(printer, doc)
    (paper,) = emu.receipts
    return doc, paper.text(), to_speech(doc)


def heard_in_order(lines: list[str], spoken: str) -> list[str]:
    """The printed lines not found in ``spoken`` in order (each after the previous one)."""
    missing, at = [], 0
    for line in lines:
        found = spoken.find(line, at)
        if found < 0:
            missing.append(line)
        else:
            at = found + len(line)
    return missing


@pytest.mark.parametrize(
    ("lang", "kind"),
    [
        ("en", DocumentKind.RECEIPT),
        ("cy", DocumentKind.RECEIPT),
        ("cy", DocumentKind.OFFLINE_SLIP),
        ("en", DocumentKind.OFFLINE_SLIP),
    ],
)
def test_every_printed_line_is_spoken_in_order_with_codes_spelled(
    catalogue, letter_submission, printer_pair, lang, kind
) -> None:  # type: ignore[no-untyped-def]
    kw = {"resume_code": make_resume_code()} if kind is DocumentKind.OFFLINE_SLIP else {}
    doc, paper, sentences = printed_and_spoken(
        catalogue, letter_submission(lang), printer_pair, kind, **kw
    )
    spoken = flat(fold_punctuation(" ".join(sentences)))
    codes = [doc.reference] + ([doc.resume_code] if doc.resume_code else [])
    lines = [flat(line) for line in paper.splitlines() if line.strip()]
    # the emulator's text view marks the QR symbol and the cut: not words on the paper
    assert f"[QR {doc.qr_payload}]" in lines
    lines = [line for line in lines if not line.startswith("[QR ") and not line.startswith("---")]
    words = [line for line in lines if line not in codes]
    assert len(words) == len(lines) - len(codes)  # each code is printed on a line of its own
    assert heard_in_order(words, spoken) == []
    # without the pauses spell() puts between characters and groups; a reference's check
    # symbol may be one of * $ = (catalogue.references): it is heard too
    squeezed = "".join(ch for ch in spoken if not ch.isspace() and ch != ",")
    for code in codes:
        assert code.replace("-", "") in squeezed  # every character of the code is heard
        for group in code.split("-"):
            if len(group) > 1:  # never a whole group, read by the engine as a word
                assert group not in spoken.replace(",", " ").split(), group
    if lang == "cy":
        assert "Canolfan Waith Tŵr y Dref" in sentences[0] and "Tachwedd" in sentences[0]
        assert (
            sentences[1]
            == {"receipt": "Derbynneb.", "offline_slip": "Mae eich cais wedi’i gadw."}[kind]
        )
    else:
        assert (
            sentences[1] == {"receipt": "Receipt.", "offline_slip": "Your request is saved."}[kind]
        )


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sentences_are_plain_and_hold_nothing_personal(
    catalogue, letter_submission, printer_pair, lang
) -> None:  # type: ignore[no-untyped-def]
    _, _, sentences = printed_and_spoken(
        catalogue, letter_submission(lang), printer_pair, DocumentKind.RECEIPT
    )
    for sentence in sentences:
        assert sentence == " ".join(sentence.split())
        assert sentence[-1] in ".?!:…", sentence
        bad = [c for c in sentence if unicodedata.category(c) in ("Cc", "Cf")]
        assert bad == [], sentence
    for pii in PII_FORMS:
        assert pii not in " ".join(sentences)


def test_the_kiosk_speaker_reads_the_receipt_in_its_language(
    catalogue, letter_submission, printer_pair
) -> None:  # type: ignore[no-untyped-def]
    doc, _, sentences = printed_and_spoken(
        catalogue, letter_submission("cy"), printer_pair, DocumentKind.RECEIPT
    )
    started: list[tuple[list[str], bytes]] = []

    class Done:
        def poll(self) -> int:
            return 0

        def terminate(self) -> None:
            pass

    def runner(argv: list[str], data: bytes) -> Done:
        started.append((argv, data))
        return Done()

    speaker = Speaker(executable="/usr/bin/espeak-ng", runner=runner)
    assert speaker.say(" ".join(sentences), doc.language)
    ((argv, data),) = started
    assert data.decode("utf-8") == " ".join(sentences)
    assert speaker.spoken[-1].text == " ".join(sentences)
    assert "cy" in argv
