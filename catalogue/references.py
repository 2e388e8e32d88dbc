"""Human case references: ``<OFFICE>-XXXX-XXXX-C`` — Crockford base32 with a mod-37 check symbol.

Generated at random without coordination (40 bits), so a kiosk makes one itself when it is offline
and the citizen leaves with it; central's unique constraint on ``cases.reference`` catches the rare
collision (a 409 the kiosk answers with a fresh reference). It lives in ``catalogue`` because every
channel — kiosk, web, staff — must read and write the same format, and both sides import this.
Decoding is forgiving the way Crockford intends: case-insensitive, ``I``/``L`` read as 1, ``O`` as 0,
hyphens and spaces ignored. The check symbol catches every single-character error and transposition
of adjacent characters.

A reference names a case; it never grants access to it on its own (DESIGN.md, "Privacy").

Errors::

    ValueError
    └── ReferenceError   text that is not a well-formed reference (bad symbol, length or check)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 8
_DECODE = {c: i for i, c in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_CHECK_DECODE = {c: i for i, c in enumerate(CHECK_ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_OFFICE_RE = re.compile(r"^[A-Z0-9]{1,12}$")


class ReferenceError(ValueError):  # noqa: A001 - a reference error, deliberately named so
    pass


@dataclass(frozen=True)
class Reference:
    office: str
    body: str

    def __str__(self) -> str:
        return f"{self.office}-{self.body[:4]}-{self.body[4:]}-{check_symbol(self.body)}"


def _value(body: str) -> int:
    n = 0
    for ch in body:
        n = n * 32 + _DECODE[ch]
    return n


def check_symbol(body: str) -> str:
    return CHECK_ALPHABET[_value(body) % 37]


def normalise_office(office: str) -> str:
    code = re.sub(r"[^A-Za-z0-9]", "", office).upper()[:12]
    if not code:
        raise ReferenceError("office code has no letters or digits")
    return code


def make_reference(office: str) -> str:
    """A fresh random reference for a case of ``office``."""
    # One draw of 5 bits per symbol (the alphabet has 32), not a system call per symbol.
    bits = secrets.randbits(5 * BODY_LENGTH)
    body = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return str(Reference(normalise_office(office), body))


def parse_reference(text: str) -> str:
    """The canonical form of ``text`` (as stored), or :class:`ReferenceError`."""
    parts = [p for p in re.split(r"[-\s]+", text.strip().upper()) if p]
    if len(parts) < 2:
        raise ReferenceError("a reference looks like OFFICE-XXXX-XXXX-C")
    office = parts[0]
    if not _OFFICE_RE.match(office):
        raise ReferenceError("bad office code")
    rest = "".join(parts[1:])
    if len(rest) != BODY_LENGTH + 1:
        raise ReferenceError(f"a reference has {BODY_LENGTH} symbols and a check symbol")
    body_raw, check_raw = rest[:BODY_LENGTH], rest[BODY_LENGTH]
    try:
        body = "".join(ALPHABET[_DECODE[c]] for c in body_raw)
        check = _CHECK_DECODE[check_raw]
    except KeyError:
        raise ReferenceError("a symbol outside the Crockford alphabet") from None
    if _value(body) % 37 != check:
        raise ReferenceError("check symbol does not match (a mistyped character?)")
    return str(Reference(office, body))
