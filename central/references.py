"""Case references: the format lives in :mod:`catalogue.references`, shared with the kiosk (which
makes references itself when offline) so both sides agree by construction, not by copy."""

from catalogue.references import (
    ALPHABET,
    BODY_LENGTH,
    CHECK_ALPHABET,
    Reference,
    ReferenceError,
    check_symbol,
    make_reference,
    normalise_office,
    parse_reference,
)

__all__ = [
    "ALPHABET",
    "BODY_LENGTH",
    "CHECK_ALPHABET",
    "Reference",
    "ReferenceError",
    "check_symbol",
    "make_reference",
    "normalise_office",
    "parse_reference",
]
