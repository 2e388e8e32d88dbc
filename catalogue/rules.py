"""The real-world format rules: UK postcodes, National Insurance numbers, phone numbers, email.

Pure functions on strings, so property-based tests can hammer them. Each ``clean_*`` returns the
normalised form, or None when the text is not valid.

* Postcodes (Royal Mail / ONS format): outward code ``A9``, ``A99``, ``AA9``, ``AA99``, ``A9A`` or
  ``AA9A``, then inward code ``9AA``; first letter never Q, V, X; second letter never I, J, Z; the
  third-position letter of ``A9A`` is one of ABCDEFGHJKPSTUW, the fourth of ``AA9A`` one of
  ABEHMNPRVWXY; inward letters never C, I, K, M, O, V. ``GIR 0AA`` (Girobank) is also valid.
* NI numbers (HMRC NIM39110): two prefix letters, six digits, suffix A–D. Neither prefix letter is
  D, F, I, Q, U or V; the second is not O; BG, GB, NK, KN, TN, NT and ZZ are never allocated.
"""

from __future__ import annotations

import re

_POSTCODE = re.compile(
    r"^(?:"
    r"[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
    r")[0-9][ABD-HJLNP-UW-Z]{2}$"
)
_NI = re.compile(r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
NI_PREFIXES_NOT_ALLOCATED = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def clean_postcode(text: str) -> str | None:
    """``"sw1a1aa"`` → ``"SW1A 1AA"``; None if not a valid UK postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    if compact == "GIR0AA" or _POSTCODE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return None


def clean_ni_number(text: str) -> str | None:
    """``"qq 12 34 56 c"`` → ``"QQ123456C"``; None if HMRC would never issue it."""
    compact = re.sub(r"\s+", "", text).upper()
    if not _NI.match(compact) or compact[:2] in NI_PREFIXES_NOT_ALLOCATED:
        return None
    return compact


def clean_phone(text: str) -> str | None:
    """Digits with an optional leading ``+``: ``"07700 900123"`` → ``"07700900123"``,
    ``"+44 7700 900123"`` and ``"0044 7700 900123"`` → ``"+447700900123"``.

    UK numbers (starting 0) have 10 or 11 digits; international ones (starting + or 00) 8 to 15
    (the E.164 maximum).
    """
    compact = _PHONE_SEPARATORS.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits.isascii() or not digits.isdigit():
        return None
    if plus:
        return compact if 8 <= len(digits) <= 15 and digits[0] != "0" else None
    return digits if digits.startswith("0") and 10 <= len(digits) <= 11 else None


def clean_email(text: str) -> str | None:
    """Stripped address if it has one ``@``, a dotted domain and no spaces; else None."""
    address = text.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        return None
    return address
