"""Case references and slip resume codes made on the kiosk, so an offline kiosk can still hand the
citizen something to quote or scan.

Case references come from :mod:`catalogue.references`, the one definition of the format that
central imports too (``OFFICE-XXXX-XXXX-C``, Crockford base32, mod-37 check symbol): the kiosk
cannot import central, and a copy would drift. Central accepts a reference the kiosk proposes
(``reference`` in the create-case body) when it is well formed and carries the device's office,
and answers 409 ``reference-taken`` on the rare collision — then the kiosk draws another.

Resume codes follow central's slip format (``central.handoff.codes``): 12 letters of
``BCDFGHJKLMNPQRSTVWXZ`` (no vowels, so no words; ≈ 52 bits), shown ``XXXX-XXXX-XXXX``. The
alphabet is repeated here on purpose (kiosk may not import central); tests/kiosk/test_references.py
proves both sides agree.

Errors::

    ValueError
    ├── ReferenceError     not a well-formed case reference (from catalogue.references)
    └── ResumeCodeError    not a well-formed resume code
"""

from __future__ import annotations

import re
import secrets

from catalogue.references import ReferenceError, make_reference, normalise_office, parse_reference

__all__ = [
    "RESUME_ALPHABET",
    "RESUME_LETTERS",
    "ReferenceError",
    "ResumeCodeError",
    "make_case_reference",
    "make_resume_code",
    "parse_case_reference",
    "parse_resume_code",
    "resume_code_in",
]

RESUME_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
RESUME_LETTERS = 12
_SEPARATORS = re.compile(r"[\s\-\u2013\u2014]+")
_IN_URL = re.compile(r"(?:[?#&]|^)(?:code|resume)=([A-Za-z\-]{12,16})(?![A-Za-z])")


class ResumeCodeError(ValueError):
    """Text that cannot be a slip resume code."""


def make_case_reference(office: str) -> str:
    """A fresh reference for a case of ``office`` (an office code such as ``CARDIFF1``)."""
    return make_reference(normalise_office(office))


def parse_case_reference(text: str) -> str:
    """The canonical form of a typed or scanned reference, or :class:`ReferenceError`."""
    return parse_reference(text)


def make_resume_code() -> str:
    """A fresh ``XXXX-XXXX-XXXX`` resume code for a printed slip."""
    return _format("".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LETTERS)))


def parse_resume_code(text: str) -> str:
    """``XXXX-XXXX-XXXX`` from typed text (any case, dashes or spaces anywhere), or
    :class:`ResumeCodeError`."""
    cleaned = _SEPARATORS.sub("", text or "").upper()
    if len(cleaned) != RESUME_LETTERS:
        raise ResumeCodeError(f"a resume code has {RESUME_LETTERS} letters")
    if any(c not in RESUME_ALPHABET for c in cleaned):
        raise ResumeCodeError("a resume code uses only the letters " + RESUME_ALPHABET)
    return _format(cleaned)


def _format(letters: str) -> str:
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def resume_code_in(payload: str) -> str | None:
    """The resume code a scanned QR holds, or None when it holds something else.

    A slip's QR is the bare code (``XXXX-XXXX-XXXX``, any case); a link with ``code=`` or
    ``resume=`` in its query or fragment counts too. A case reference is *not* a resume code
    (it never opens a case on its own)."""
    text = (payload or "").strip()
    if len(text) > 512:
        return None
    candidates = [text] + [m.group(1) for m in _IN_URL.finditer(text)]
    for candidate in candidates:
        try:
            return parse_resume_code(candidate)
        except ResumeCodeError:
            continue
    return None
