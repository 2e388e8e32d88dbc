"""Errors of :mod:`kiosk.documents` (tree drawn in the package docstring)."""

from __future__ import annotations

__all__ = ["DocumentError", "DocumentInputError", "FontMissingError", "RenderError"]


class DocumentError(Exception):
    """Base of every error this package raises."""


class DocumentInputError(DocumentError, ValueError):
    """What the caller asked for cannot make a document (unknown language or kind, bad reference,
    a submission for another service, an offline slip without a resume code)."""


class RenderError(DocumentError):
    """A renderer failed; third-party errors (reportlab, qrcode) are translated to this."""


class FontMissingError(RenderError):
    """The TTF font with Welsh glyphs is not installed (Debian: fonts-dejavu-core)."""
