"""Tagging the A4 letter for PDF/UA-1: marked content while drawing, the structure tree after.

Why two libraries: reportlab (open-source edition) draws the letter well and fast but has no
structure tree, no XMP and no page ``/StructParents``; its commercial edition is the one that tags.
WeasyPrint ≥ 59 tags (``pdf_variant="pdf/ua-1"``) but brings Pango, a layout engine and a second way
of drawing the page (HTML), for one page whose layout is fixed. So reportlab keeps drawing, and while
it draws, :class:`Marks` wraps every paragraph, the QR code and the decoration in marked-content
operators (``/P <</MCID n>> BDC … EMC``, ``/Artifact BMC … EMC``) — raw operators are part of
reportlab's public canvas (``addLiteral``). Then :func:`tag_pdf` opens the bytes with pikepdf
(qpdf, a binary wheel on PyPI, no Debian package) and adds what a tagged PDF needs beside the
content: ``/StructTreeRoot`` with the tree given as :class:`Node` s in reading order and its
``/ParentTree``, ``/MarkInfo``, ``/Lang``, ``/ViewerPreferences /DisplayDocTitle``, and XMP
metadata with ``dc:title`` and ``pdfuaid:part 1``. Fonts are already embedded by reportlab.

Failure model: a tree that names an MCID no drawing produced (or misses one) is a programming error
and raises :class:`~kiosk.documents.errors.RenderError` before any byte leaves; pikepdf's own
errors are translated to RenderError here. Output is deterministic (no dates in the XMP, a
deterministic file ID), so the same document gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.documents.errors import RenderError

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

__all__ = ["Marks", "Node", "tag_pdf"]


@dataclass
class Node:
    """One structure element: its standard role (Document, H1, P, Figure, Table, TR, TH, TD, L, LI,
    LBody …), the marked-content ids it owns, then its children, in reading order."""

    role: str
    mcids: tuple[int, ...] = ()
    kids: list[Node] = field(default_factory=list)
    alt: str | None = None
    scope: str | None = None  # TH: Row or Column

    def all_mcids(self) -> Iterator[int]:
        yield from self.mcids
        for kid in self.kids:
            yield from kid.all_mcids()


class Marks:
    """Writes marked-content operators into a reportlab canvas's page, numbering MCIDs from 0."""

    def __init__(self, canvas: Canvas) -> None:
        self._cv = canvas
        self.count = 0

    @contextmanager
    def tagged(self, role: str) -> Iterator[int]:
        """Everything drawn inside is one marked-content sequence; yields its MCID."""
        mcid = self.count
        self.count += 1
        self._cv.addLiteral(f"/{role} <</MCID {mcid}>> BDC")
        try:
            yield mcid
        finally:
            self._cv.addLiteral("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Decoration drawn inside is an artifact: not read aloud, not in the structure tree."""
        self._cv.addLiteral("/Artifact BMC")
        try:
            yield
        finally:
            self._cv.addLiteral("EMC")


def tag_pdf(pdf: bytes, root: Node, *, marks: int, lang: str, title: str) -> bytes:
    """``pdf`` (one page, drawn with :class:`Marks`) with the structure tree ``root`` and the
    document-level entries of PDF/UA-1. ``marks`` is how many MCIDs the drawing produced."""
    owned = list(root.all_mcids())
    if sorted(owned) != list(range(marks)):
        raise RenderError(f"structure tree owns MCIDs {sorted(owned)}, the page has 0..{marks - 1}")
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            _tag(doc, pikepdf, root, marks, lang, title)
            out = io.BytesIO()
            doc.save(out, deterministic_id=True, compress_streams=True)
    except pikepdf.PdfError as exc:
        raise RenderError(f"cannot tag the PDF: {exc}") from exc
    return out.getvalue()


def _tag(doc, pikepdf, root: Node, marks: int, lang: str, title: str) -> None:  # type: ignore[no-untyped-def]
    Name, Dictionary, Array = pikepdf.Name, pikepdf.Dictionary, pikepdf.Array
    page = doc.pages[0].obj
    tree_root = doc.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    by_mcid: list[object] = [None] * marks

    def element(node: Node, parent: object) -> object:
        elem = doc.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name("/" + node.role), P=parent, Pg=page)
        )
        if node.alt is not None:
            elem.Alt = pikepdf.String(node.alt)
        if node.scope is not None:
            elem.A = Dictionary(O=Name.Table, Scope=Name("/" + node.scope))
        kids: list[object] = []
        for mcid in node.mcids:
            by_mcid[mcid] = elem
            kids.append(mcid)
        kids += [element(kid, elem) for kid in node.kids]
        elem.K = Array(kids)
        return elem

    tree_root.K = Array([element(root, tree_root)])
    tree_root.ParentTree = doc.make_indirect(Dictionary(Nums=Array([0, Array(by_mcid)])))
    tree_root.ParentTreeNextKey = 1
    page.StructParents = 0
    page.Tabs = Name.S
    doc.Root.StructTreeRoot = tree_root
    doc.Root.MarkInfo = Dictionary(Marked=True, Suspects=False)
    doc.Root.Lang = pikepdf.String(lang)
    doc.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["dc:language"] = [lang]
        meta["pdfuaid:part"] = "1"
    doc.docinfo[Name.Title] = title
