"""The document model: one per outcome, in the citizen's language, with no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from documents_support import OFFICE, PII_FORMS, FakeSubmission

from kiosk.documents import DocumentInputError, DocumentKind, build_document
from kiosk.documents.texts import LANGUAGES, TEXTS, format_date
from kiosk.references import make_case_reference, make_resume_code

TODAY = date(2026, 11, 23)


def build(catalogue, submission, kind, **kw):  # type: ignore[no-untyped-def]
    service = catalogue.services[submission.service_id]
    kw.setdefault("reference", make_case_reference("CARDIFF1"))
    kw.setdefault("office", OFFICE)
    kw.setdefault("today", TODAY)
    return build_document(submission, service, kind, **kw)


def test_every_kiosk_text_has_english_and_welsh() -> None:
    for key, texts in TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        assert texts["en"] != texts["cy"], key


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_personal_answer_reaches_any_document(catalogue, letter_submission, kind, lang) -> None:  # type: ignore[no-untyped-def]
    doc = build(catalogue, letter_submission(lang), kind, resume_code=make_resume_code())
    text = doc.all_text()
    for pii in PII_FORMS:
        assert pii not in text, (kind, pii)


def test_letter_shows_the_non_personal_choices_in_the_citizens_language(
    catalogue, letter_submission
) -> None:  # type: ignore[no-untyped-def]
    en = build(catalogue, letter_submission("en"), DocumentKind.LETTER)
    cy = build(catalogue, letter_submission("cy"), DocumentKind.LETTER)
    assert ("Which benefit should the letter show?", "Universal Credit") in en.details
    assert ("Pa fudd-dal ddylai’r llythyr ei ddangos?", "Credyd Cynhwysol") in cy.details
    assert [label for label, _ in en.details] == [
        "Which benefit should the letter show?",
        "What should the letter show?",
        "How would you like to get the letter?",
    ]
    assert en.heading == "Confirmation of your request" and cy.heading == "Cadarnhad o’ch cais"
    assert en.office == OFFICE.en and cy.office == OFFICE.cy
    assert cy.date_text == "23 Tachwedd 2026" == format_date(TODAY, "cy")
    service = catalogue.services["proof-of-benefit-letter"]
    assert service.next_steps is not None
    assert service.next_steps.get("cy").strip() in cy.next_steps


def test_staff_ticket_and_slip_carry_no_answers(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    code = make_resume_code()
    ticket = build(catalogue, letter_submission("en"), DocumentKind.STAFF_TICKET)
    slip = build(catalogue, letter_submission("cy"), "offline_slip", resume_code=code.lower())
    assert ticket.details == () and slip.details == ()
    assert ticket.qr_payload == ticket.reference  # staff scan the reference
    assert slip.resume_code == code and slip.qr_payload == code
    assert slip.next_steps[0].startswith("Nid oedd y ciosg")


def test_reference_is_stored_canonical_and_qr_payload_can_be_a_url(
    catalogue, letter_submission
) -> None:  # type: ignore[no-untyped-def]
    ref = make_case_reference("CARDIFF1")
    url = "https://kiosk.example.gov.uk/h/K7Q2X9#secret"
    doc = build(
        catalogue, letter_submission("en"), "receipt", reference=ref.lower(), qr_payload=url
    )
    assert doc.reference == ref and doc.qr_payload == url


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reference": "CARDIFF1-0000-0000-X"}, "bad case reference"),
        ({"kind": "postcard"}, "unknown document kind"),
        ({"kind": "offline_slip"}, "needs a resume code"),
        ({"kind": "offline_slip", "resume_code": "AEIO-AEIO-AEIO"}, "bad resume code"),
        ({"lang": "fr"}, "no document texts in language"),
        ({"service": "change-of-address"}, "submission is for"),
    ],
)
def test_what_cannot_make_a_document_is_a_clear_error(catalogue, change, message) -> None:  # type: ignore[no-untyped-def]
    sub = FakeSubmission("proof-of-benefit-letter", change.pop("lang", "en"), {})
    service = catalogue.services[change.pop("service", sub.service_id)]
    kind = change.pop("kind", "receipt")
    kw = {"reference": make_case_reference("CARDIFF1"), "office": "X", "today": TODAY} | change
    with pytest.raises(DocumentInputError, match=message):
        build_document(sub, service, kind, **kw)


def test_a_real_session_submission_makes_a_document(catalogue) -> None:  # type: ignore[no-untyped-def]
    from kiosk.session.drafts import Submission
    from kiosk.session.states import SessionKind

    answers = {"benefit": "pension_credit", "period": "current", "ni_number": "QQ123456C"}
    sub = Submission("proof-of-benefit-letter", "cy", SessionKind.CITIZEN, None, answers, ())
    doc = build(catalogue, sub, DocumentKind.RECEIPT)
    assert ("Pa fudd-dal ddylai’r llythyr ei ddangos?", "Credyd Pensiwn") in doc.details
    assert "QQ123456C" not in doc.all_text()
