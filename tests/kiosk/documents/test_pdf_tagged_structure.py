"""The A4 letter as a tagged PDF (PDF/UA-1's machine-checkable core), read back with pikepdf and
pypdf: structure tree over every marked-content sequence, reading order equal to the letter's,
headings, table and list where the letter has them, the QR code as a Figure with alt text, the
rule as an artifact, /MarkInfo, /Lang, title shown, XMP title and pdfuaid:part, embedded fonts;
in English and in Welsh, for the letter and for the offline slip."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pikepdf
import pytest
from documents_support import OFFICE, flat
from pypdf import PdfReader

from kiosk.documents import DocumentKind, build_document, to_pdf
from kiosk.references import make_case_reference, make_resume_code

TODAY = date(2026, 11, 23)
# Operators that put marks on the page (text, paths, images, shadings).
PAINTING = {b"Tj", b"TJ", b"'", b'"', b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*"}
PAINTING |= {b"Do", b"sh", b"BI"}


def make(catalogue, submission, kind=DocumentKind.LETTER, **kw):  # type: ignore[no-untyped-def]
    service = catalogue.services[submission.service_id]
    kw.setdefault("reference", make_case_reference("CARDIFF1"))
    return build_document(submission, service, kind, office=OFFICE, today=TODAY, **kw)


def text_by_mcid(pdf: bytes) -> dict[object, str]:
    """Text shown on page 1, by the MCID of the marked content it is in (None: in none,
    'artifact': inside /Artifact)."""
    stack: list[object] = []
    out: dict[object, str] = {}

    def before(op, args, cm, tm) -> None:  # type: ignore[no-untyped-def]
        if op == b"BDC":
            props = args[1]
            stack.append(props.get("/MCID") if hasattr(props, "get") else args[0])
        elif op == b"BMC":
            stack.append("artifact" if args[0] == "/Artifact" else None)
        elif op == b"EMC":
            stack.pop()

    def seen(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        key = next((k for k in reversed(stack) if k is not None), None)
        out[key] = out.get(key, "") + text

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_operand_before=before, visitor_text=seen)
    return out


def walk(elem):  # type: ignore[no-untyped-def]
    """Depth-first (reading order): (element, [own MCIDs]) of every structure element."""
    kids = elem.K if isinstance(elem.K, pikepdf.Array) else [elem.K]
    yield elem, [int(k) for k in kids if isinstance(k, int)]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary):
            yield from walk(kid)


def structure(pdf: bytes) -> list[tuple[str, list[int], dict[str, str]]]:
    """(role, own MCIDs, {"alt": …, "scope": …}) of every element, in reading order."""
    with pikepdf.open(BytesIO(pdf)) as doc:
        root = doc.Root.StructTreeRoot
        assert root.Type == pikepdf.Name.StructTreeRoot
        (top,) = list(root.K) if isinstance(root.K, pikepdf.Array) else [root.K]
        out = []
        for e, mcids in walk(top):
            info = {"alt": str(e.Alt)} if "/Alt" in e else {}
            if "/A" in e:
                info["scope"] = str(e.A.Scope)[1:]
            out.append((str(e.S)[1:], mcids, info))
        return out


def letters(catalogue, letter_submission):  # type: ignore[no-untyped-def]
    for lang in ("en", "cy"):
        yield make(catalogue, letter_submission(lang))
        yield make(
            catalogue,
            letter_submission(lang),
            DocumentKind.OFFLINE_SLIP,
            resume_code=make_resume_code(),
        )


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_catalog_says_tagged_in_the_language_with_its_title_shown(
    catalogue, letter_submission, lang
) -> None:  # type: ignore[no-untyped-def]
    doc = make(catalogue, letter_submission(lang))
    with pikepdf.open(BytesIO(to_pdf(doc))) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == f"{lang}-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert "/StructTreeRoot" in root
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == f"{doc.heading} – {doc.reference}"
        assert str(pdf.docinfo.Title) == meta["dc:title"]
        page = pdf.pages[0]
        assert int(page.obj.StructParents) == 0
        fonts = list(page.Resources.Font.values())
        assert fonts
        for font in fonts:
            descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).get(
                "/FontDescriptor"
            )
            assert descriptor is not None, f"{font.BaseFont} has no descriptor (not embedded)"
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    if lang == "cy":
        assert "ŵ" in doc.office  # the embedded subset carries the Welsh letters


def test_every_mark_on_the_page_is_tagged_content_or_an_artifact(
    catalogue, letter_submission
) -> None:  # type: ignore[no-untyped-def]
    for doc in letters(catalogue, letter_submission):
        pdf = to_pdf(doc)
        with pikepdf.open(BytesIO(pdf)) as opened:
            depth, painted_outside, artifacts = 0, [], 0
            for operands, op in pikepdf.parse_content_stream(opened.pages[0]):
                name = bytes(op)
                if name in (b"BDC", b"BMC"):
                    depth += 1
                    artifacts += str(operands[0]) == "/Artifact"
                elif name == b"EMC":
                    depth -= 1
                elif name in PAINTING and depth == 0:
                    painted_outside.append(name)
            assert painted_outside == []
            assert artifacts == 1  # the rule above the footer
        texts = text_by_mcid(pdf)
        assert flat(texts.get(None, "")) == ""  # no text outside marked content
        assert flat(texts.get("artifact", "")) == ""  # no words hidden as decoration
        tree = structure(pdf)
        owned = [m for _, mcids, _ in tree for m in mcids]
        shown = sorted(k for k in texts if isinstance(k, int))
        assert sorted(owned) == sorted(set(owned))  # each sequence has one owner
        assert set(shown) <= set(owned)  # every piece of text belongs to an element


def test_parent_tree_leads_each_mcid_back_to_its_element(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    pdf = to_pdf(make(catalogue, letter_submission("cy")))
    with pikepdf.open(BytesIO(pdf)) as opened:
        root = opened.Root.StructTreeRoot
        nums = list(root.ParentTree.Nums)
        assert int(nums[0]) == int(opened.pages[0].obj.StructParents)
        parents = nums[1]
        (top,) = list(root.K)
        for elem, mcids in walk(top):
            for m in mcids:
                assert parents[m].objgen == elem.objgen
                assert elem.Pg.objgen == opened.pages[0].obj.objgen


def test_reading_order_of_the_tree_is_the_letters(catalogue, letter_submission) -> None:  # type: ignore[no-untyped-def]
    for doc in letters(catalogue, letter_submission):
        pdf = to_pdf(doc)
        texts = text_by_mcid(pdf)
        tree = structure(pdf)
        read = " ".join(texts.get(m, "") for _, mcids, _ in tree for m in mcids)
        assert flat(read) == flat(doc.all_text()), doc.kind


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_roles_headings_table_list_and_figure(catalogue, letter_submission, lang) -> None:  # type: ignore[no-untyped-def]
    doc = make(catalogue, letter_submission(lang))
    pdf = to_pdf(doc)
    texts = text_by_mcid(pdf)
    tree = structure(pdf)

    def said(role: str) -> list[str]:
        return [
            flat(" ".join(texts.get(m, "") for m in mcids)) for r, mcids, _ in tree if r == role
        ]

    assert tree[0][0] == "Document"
    assert said("H1") == [flat(doc.heading)]
    assert said("H2") == [flat(doc.details_label), flat(doc.next_steps_label)]
    assert said("TH") == [flat(label) for label, _ in doc.details]
    assert said("TD") == [flat(value) for _, value in doc.details]
    assert len(said("TR")) == len(doc.details) and len(said("Table")) == 1
    assert said("LBody") == [flat(step) for step in doc.next_steps]
    assert len(said("LI")) == len(doc.next_steps) and len(said("L")) == 1
    assert [info.get("scope") for role, _, info in tree if role == "TH"] == ["Row"] * len(
        doc.details
    )
    (figure,) = [info for role, _, info in tree if role == "Figure"]
    assert figure["alt"] == {"en": "QR code", "cy": "Cod QR"}[lang]
    assert said("Figure") == [""]  # the code is drawn, not written: its words are in /Alt
