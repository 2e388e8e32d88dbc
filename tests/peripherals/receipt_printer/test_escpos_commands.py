"""Exact bytes of every ESC/POS command (REFERENCE.md table), and the rendering of a receipt."""

from __future__ import annotations

from dataclasses import replace

import pytest

from peripherals.escpos import commands as cmd
from peripherals.escpos.profiles import get_profile, load_profiles
from peripherals.escpos.receipt import Feed, Line, Qr, Receipt
from peripherals.escpos.render import encode_text_line, render_receipt

H = bytes.fromhex


@pytest.mark.parametrize(
    ("produced", "expected"),
    [
        (cmd.init(), H("1B40")),
        (cmd.line_feed(), H("0A")),
        (cmd.code_page(16), H("1B7410")),
        (cmd.align(cmd.Align.CENTER), H("1B6101")),
        (cmd.align(2), H("1B6102")),
        (cmd.bold(True), H("1B4501")),
        (cmd.bold(False), H("1B4500")),
        (cmd.underline(1), H("1B2D01")),
        (cmd.size(2, 3), H("1D2112")),
        (cmd.size(), H("1D2100")),
        (cmd.feed(3), H("1B6403")),
        (cmd.cut(), H("1D5600")),
        (cmd.cut(partial=True), H("1D5601")),
        (cmd.cut(feed_dots=24), H("1D564118")),
        (cmd.cut(partial=True, feed_dots=24), H("1D564218")),
        (cmd.status_request(1), H("100401")),
        (cmd.status_request(4), H("100404")),
        (cmd.asb(), H("1D610E")),
        (cmd.asb(drawer=True, online=True, error=False, paper=False), H("1D6103")),
        (cmd.completion_request(b"0001"), H("1D28480600303030303031")),
        (cmd.recover(), H("100502")),
        (cmd.recover(clear_buffers=False), H("100501")),
        (cmd.text("Dŵr", "iso8859_14"), b"D\xf0r"),
    ],
)
def test_command_bytes(produced: bytes, expected: bytes) -> None:
    assert produced == expected


def test_native_qr_bytes() -> None:
    data = b"https://k.example/h#s3cr3t"
    k = len(data) + 3
    assert cmd.qr(data, module_size=6, ecc=cmd.QrEcc.Q) == (
        H("1D286B040031413200")
        + H("1D286B03003143")
        + b"\x06"
        + H("1D286B03003145")
        + b"\x32"
        + H("1D286B")
        + bytes([k & 0xFF, k >> 8])
        + H("315030")
        + data
        + H("1D286B0300315130")
    )


def test_raster_is_sent_in_bands() -> None:
    width_bytes, height = 2, 50
    bitmap = bytes(i % 251 for i in range(width_bytes * height))
    bands = list(cmd.raster_bands(bitmap, width_bytes, height, band=24))
    assert [b[:8] for b in bands] == [
        H("1D76300002001800"),
        H("1D76300002001800"),
        H("1D76300002000200"),
    ]
    assert b"".join(b[8:] for b in bands) == bitmap


@pytest.mark.parametrize(
    "call",
    [
        lambda: cmd.size(9, 1),
        lambda: cmd.code_page(256),
        lambda: cmd.status_request(5),
        lambda: cmd.qr(b""),
        lambda: cmd.qr(b"x", module_size=17),
        lambda: cmd.completion_request(b"12"),
        lambda: list(cmd.raster_bands(b"\x00", 2, 1)),
    ],
)
def test_bad_values_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_profiles_load_and_check() -> None:
    profiles = load_profiles()
    assert {"default", "tm-t88", "clone-58", "kiosk-emulator"} <= set(profiles)
    assert profiles["clone-58"].asb is False
    assert profiles["kiosk-emulator"].code_pages["iso8859_14"] == 99


WELSH = "Dŵr ŷ â ê î ô û ẁ ẃ ẅ ỳ Ŵ Ŷ"


def test_welsh_uses_latin8_where_the_profile_has_it() -> None:
    table, data = encode_text_line(WELSH, get_profile("kiosk-emulator"))
    assert table == 99
    assert data == WELSH.encode("iso8859_14")
    assert data[1:2] == b"\xf0"  # ŵ in ISO-8859-14


TRANSLITERATING = replace(get_profile("default"), welsh_fallback="transliterate")
"""A TM-T20-class profile set to fold ŵ/ŷ (the 58 mm clones' way; the default downloads them)."""


def test_welsh_transliterates_only_what_the_page_lacks() -> None:
    table, data = encode_text_line(WELSH, TRANSLITERATING)
    assert table == 19  # PC858
    assert data == "Dwr y â ê î ô û w w w y W Y".encode("cp858")


def test_typographic_punctuation_beside_welsh_letters_is_folded_not_lost() -> None:
    """No code page holds both ’ and ŵ: the line still prints, ’ as ' and – as -, never "?"."""
    line = "Mae’r tŷ – “ŵyn”…"
    table, data = encode_text_line(line, get_profile("kiosk-emulator"))
    assert (table, data) == (99, 'Mae\'r tŷ - "ŵyn"...'.encode("iso8859_14"))  # ŷ ŵ kept
    table, data = encode_text_line(line, TRANSLITERATING)
    assert (table, data) == (19, b'Mae\'r ty - "wyn"...')  # a page without ŵ: w, and no "?"


def test_welsh_raster_fallback(tmp_path) -> None:
    from dataclasses import replace

    profile = replace(get_profile("default"), welsh_fallback="raster")
    assert encode_text_line(WELSH, profile) is None
    data = render_receipt(Receipt([Line(WELSH)], cut="none", feed_before_cut=0), profile)
    assert b"\x1dv0" in data and WELSH.encode("cp858", "replace") not in data


def test_render_sends_only_changes_and_native_qr() -> None:
    receipt = Receipt(
        [
            Line("Title", bold=True, align="center"),
            Line("a"),
            Line("b"),
            Feed(2),
            Qr("https://x/#y", module_size=4),
        ]
    )
    data = render_receipt(receipt, get_profile("default"))
    assert data == (
        H("1B40")
        + H("1B6101")
        + H("1B4501")
        + b"Title\n"
        + H("1B6100")
        + H("1B4500")
        + b"a\n"
        + b"b\n"
        + H("1B6402")
        + H("1B6101")
        + cmd.qr(b"https://x/#y", 4, cmd.QrEcc.M)
        + H("1D564218")
    )


def test_clone_profile_full_cut() -> None:
    data = render_receipt(Receipt([Line("x")]), get_profile("clone-58"))
    assert data.endswith(H("1D564118"))
