"""A document as the sentences the kiosk's speech reads (EN 301 549 5.1.3.x: receipts spoken).

Built from the same :class:`~kiosk.documents.model.Document` the printer prints, so what is heard
is what is on the paper, in the same order: office and date, heading, service, reference (and
resume code), the QR code's caption, the non-personal details, what happens next, the footer.
The words are the paper's own (:mod:`kiosk.documents.texts` and the catalogue), in the citizen's
language: nothing is added, so nothing needs a second translation.

Codes are spelled: ``CARDIFF1-5ZQP-9S3G-D`` becomes ``C A R D I F F 1, 5 Z Q P, 9 S 3 G, D``,
because a speech engine reads ``CARDIFF1`` as a word and ``ZQP`` as noise; a comma between groups
gives the listener the pause the hyphen gives the eye. Every sentence ends with a full stop and
holds no control or format character (a printed receipt's layout bytes never get here, and any
in the catalogue's text are replaced by spaces), so the speech engine gets plain text.

Pure: no I/O, no failure beyond a programming error (an unknown language is refused when the
Document is built).
"""

from __future__ import annotations

import unicodedata

from kiosk.documents.model import Document

__all__ = ["spell", "to_speech"]


def to_speech(doc: Document) -> tuple[str, ...]:
    """The sentences to read for ``doc``, in its language, in the printed order; give them to
    ``kiosk.ui.speech.Speaker.say(" ".join(sentences), doc.language)``."""
    out = [f"{doc.office}, {doc.date_text}", doc.heading, doc.service_title]
    out.append(f"{doc.reference_label}: {spell(doc.reference)}")
    if doc.resume_code:
        out.append(f"{doc.resume_label}: {spell(doc.resume_code)}")
    out.append(doc.qr_caption)
    if doc.details:
        out.append(doc.details_label)
        out += [f"{label}: {value}" for label, value in doc.details]
    out.append(doc.next_steps_label)
    out += list(doc.next_steps)
    out.append(doc.footer)
    return tuple(s for s in (_sentence(p) for p in out) if s)


def spell(code: str) -> str:
    """``AB12-CD`` → ``A B 1 2, C D``: each character on its own, a pause between groups."""
    groups = [g for g in code.replace("–", "-").split("-") if g.strip()]
    return ", ".join(" ".join(ch for ch in g if not ch.isspace()) for g in groups)


def _sentence(text: str) -> str:
    plain = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    plain = " ".join(plain.split())
    if plain and plain[-1] not in ".?!:…":
        plain += "."
    return plain
