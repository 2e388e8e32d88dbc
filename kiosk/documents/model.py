"""The document model: what a printed document says, built once, in the citizen's language.

A :class:`Document` holds finished text only (no catalogue objects, no answers), so each renderer
(ESC/POS receipt, A4 PDF) is pure layout and both print the same words. Personal data stays out by
construction: the only answers copied are those of fields the catalogue marks ``personal = false``
(a choice such as "which benefit"), shown with the catalogue's label — never a name, a National
Insurance number, a date of birth or an address. Staff tickets and offline slips carry no answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from catalogue.model import FieldType, Service, Text
from catalogue.references import ReferenceError, parse_reference
from kiosk.documents.errors import DocumentInputError
from kiosk.documents.texts import LANGUAGES, format_date, t
from kiosk.references import ResumeCodeError, parse_resume_code

__all__ = ["Document", "DocumentKind", "SubmissionLike", "build_document"]


class DocumentKind(StrEnum):
    """How the citizen leaves: a receipt, a letter (A4), a ticket for the staff queue, or the slip
    an offline kiosk prints (with a resume code)."""

    RECEIPT = "receipt"
    LETTER = "letter"
    STAFF_TICKET = "staff_ticket"
    OFFLINE_SLIP = "offline_slip"


class SubmissionLike(Protocol):
    """What a document needs of a kiosk submission (kiosk.session.drafts.Submission has it)."""

    @property
    def service_id(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def answers(self) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    language: str
    heading: str
    service_title: str
    office: str
    date: date
    date_text: str
    reference_label: str
    reference: str
    qr_payload: str
    qr_caption: str
    details_label: str
    details: tuple[tuple[str, str], ...]
    next_steps_label: str
    next_steps: tuple[str, ...]
    footer: str
    resume_label: str = ""
    resume_code: str | None = None

    def all_text(self) -> str:
        """Every word the document prints, in order (for tests, speech output, logs of shape)."""
        parts = [self.office, self.date_text, self.heading, self.service_title]
        parts += [self.reference_label, self.reference, self.qr_caption]
        if self.resume_code:
            parts += [self.resume_label, self.resume_code]
        if self.details:
            parts.append(self.details_label)
            parts += [p for pair in self.details for p in pair]
        parts += [self.next_steps_label, *self.next_steps, self.footer]
        return "\n".join(p for p in parts if p)


def build_document(
    submission: SubmissionLike,
    service: Service,
    kind: DocumentKind | str,
    *,
    reference: str,
    office: Text | str,
    today: date,
    resume_code: str | None = None,
    qr_payload: str | None = None,
) -> Document:
    """The document for one outcome of a submission.

    ``reference`` is central's or the kiosk's own (kiosk.references); ``office`` the office's name
    (a catalogue Text when it has a Welsh name). ``qr_payload`` defaults to the reference (staff
    scan it) or, on an offline slip, to the resume code; pass a handoff URL to send the phone
    somewhere. Raises DocumentInputError for anything that cannot make a document.
    """
    lang = submission.language
    if lang not in LANGUAGES:
        raise DocumentInputError(f"no document texts in language {lang!r}")
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise DocumentInputError(f"unknown document kind {kind!r}") from None
    if submission.service_id != service.id:
        raise DocumentInputError(
            f"submission is for {submission.service_id!r}, service is {service.id!r}"
        )
    try:
        reference = parse_reference(reference)
    except ReferenceError as exc:
        raise DocumentInputError(f"bad case reference: {exc}") from None
    if kind is DocumentKind.OFFLINE_SLIP and not resume_code:
        raise DocumentInputError("an offline slip needs a resume code")
    if resume_code is not None:
        try:
            resume_code = parse_resume_code(resume_code)
        except ResumeCodeError as exc:
            raise DocumentInputError(f"bad resume code: {exc}") from None
    resume_qr = kind is DocumentKind.OFFLINE_SLIP
    payload = qr_payload or (resume_code if resume_qr and resume_code else reference)
    return Document(
        kind=kind,
        language=lang,
        heading=t(f"heading.{kind.value}", lang),
        service_title=service.title.get(lang),
        office=office.get(lang) if isinstance(office, Text) else office,
        date=today,
        date_text=format_date(today, lang),
        reference_label=t("label.reference", lang),
        reference=reference,
        qr_payload=payload,
        qr_caption=t("qr.resume" if resume_qr else "qr.reference", lang),
        details_label=t("label.details", lang),
        details=_details(service, submission.answers, lang)
        if kind in (DocumentKind.RECEIPT, DocumentKind.LETTER)
        else (),
        next_steps_label=t("label.next_steps", lang),
        next_steps=_next_steps(service, kind, lang),
        footer=t("footer", lang),
        resume_label=t("label.resume_code", lang) if resume_code else "",
        resume_code=resume_code,
    )


def _details(
    service: Service, answers: Mapping[str, object], lang: str
) -> tuple[tuple[str, str], ...]:
    """(label, answer) of the non-personal fields the citizen saw and answered."""
    out: list[tuple[str, str]] = []
    plain = dict(answers)
    for f in service.all_fields():
        if f.personal or f.id not in plain or plain[f.id] in (None, ""):
            continue
        if f.show_if is not None and not f.show_if.holds(plain):
            continue
        value = plain[f.id]
        if f.type is FieldType.CHOICE:
            labels = {o.value: o.label.get(lang) for o in f.options}
            shown = labels.get(str(value))
            if shown is None:
                continue  # not an option we know: print nothing rather than raw input
        elif f.type is FieldType.YES_NO:
            shown = f.yes_no_word(bool(value), lang)
        else:
            shown = str(value)
        out.append((f.label.get(lang), shown))
    return tuple(out)


def _next_steps(service: Service, kind: DocumentKind, lang: str) -> tuple[str, ...]:
    steps: list[str] = []
    if kind is DocumentKind.OFFLINE_SLIP:
        steps += [t("step.offline", lang), t("step.resume", lang)]
    elif kind is DocumentKind.STAFF_TICKET:
        steps.append(t("step.staff", lang))
    if service.next_steps is not None and kind is not DocumentKind.STAFF_TICKET:
        steps.append(service.next_steps.get(lang).strip())
    steps.append(t("step.keep", lang))
    return tuple(steps)
