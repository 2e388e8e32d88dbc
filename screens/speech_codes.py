"""What audio guidance says for things a listener cannot take in as words: codes, addresses, the
QR code, and PIN digits being typed.

Why: EN 301 549 5.1.3.6 asks for a spoken equivalent of non-text content (the phone's QR code is
read as what it is, with the address and code that can be typed instead), and 5.1.3.8 asks that
masked entry is not spoken as its characters (a PIN is read as "Digit entered, 3 of 4", never the
digit). A speech engine reads ``kiosk.example/p`` as words and swallows the symbols, so an address
is read one character at a time with its symbols named; codes are spelled as the receipt's speech
spells them (:func:`kiosk.documents.speech.spell`, the one home for that).

Every sentence is a msgid of the kiosk catalogues (``config/locales``), in the citizen's language
through the bound translator ``t``. Pure: no I/O, no failure beyond a programming error.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.documents.speech import spell
from kiosk.ui.i18n import N_

__all__ = ["QR_CODE", "digits_entered", "masked", "spell", "spell_address", "typed_fallback_spoken"]

Translate = Callable[..., str]

QR_CODE = N_("QR code for your phone camera")
"""What the phone handoff's QR image is called when read or touched."""

SYMBOLS: dict[str, str] = {
    ".": N_("dot"), "/": N_("slash"), ":": N_("colon"), "-": N_("hyphen"), "_": N_("underscore"),
    "?": N_("question mark"), "=": N_("equals"), "&": N_("and sign"), "#": N_("hash"),
}  # fmt: skip


def spell_address(address: str, t: Translate) -> str:
    """``ab.cy/p`` → ``a b dot c y slash p``: each character on its own, symbols by name."""
    return " ".join(t(SYMBOLS[ch]) if ch in SYMBOLS else ch for ch in address if not ch.isspace())


def typed_fallback_spoken(template: str, address: str, code: str, t: Translate) -> str:
    """The sentence under the QR code (``template``, already translated, with ``{url}`` and
    ``{code}``) as it is read: the address and the code spelled, a pause after the address."""
    return template.format(url=f"{spell_address(address, t)},", code=spell(code))


def digits_entered(count: int, total: int | None, t: Translate, *, deleted: bool = False) -> str:
    """What is said when a PIN digit is typed (or deleted): how many, never which."""
    if total:
        msgid = (
            N_("Digit deleted, {n} of {total}") if deleted else N_("Digit entered, {n} of {total}")
        )
        return t(msgid, n=count, total=total) + "."
    msgid = N_("Digit deleted, {n} so far") if deleted else N_("Digit entered, {n} so far")
    return t(msgid, n=count) + "."


def masked(count: int, t: Translate) -> str:
    """A masked field's value as read: how many characters are in it."""
    return t(N_("{n} digits entered"), n=count)
