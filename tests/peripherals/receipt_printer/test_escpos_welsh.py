"""Welsh on printers without ISO-8859-14, and lines that need two code pages (issue 15, item 9).

Sources: Epson ESC/POS Command Reference — ESC & y c1 c2 [x1 d1…d(y×x1)]…[xk d1…d(y×xk)] "Define
user-defined characters" (1B 26; y = 3 for the 12 × 24 font A; 32 ≤ c1 ≤ c2 ≤ 126; x ≤ 12; data
column by column, left to right, y bytes a column, the most significant bit the top dot) and ESC % n
"Select/cancel user-defined character set" (1B 25 n, bit 0); ESC t n "Select character code table".
Code page positions from ISO/IEC 8859-2 (Ł A3, ó F3, ź BC) and IBM CP858 (€ D5).
"""

from __future__ import annotations

import pytest
from pty_helpers import wait_until

from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.escpos import commands as cmd
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.escpos.profiles import get_profile
from peripherals.escpos.receipt import Line, Receipt
from peripherals.escpos.render import render_receipt
from peripherals.transport import Backoff

# ŵ as it should come out of the printer: 12 dots wide, 24 high (font A); '#' = a dot
W_CIRCUMFLEX = """\
............
............
............
............
............
....####....
...##..##...
..##....##..
............
............
.##......##.
.##......##.
.##..##..##.
.##..##..##.
.##.####.##.
.###.##.###.
..###..###..
..##....##..
..##....##..
............
............
............
............
............"""


def user_defined_glyphs(data: bytes) -> dict[int, list[str]]:
    """Every glyph of the ESC & command in `data`, read by the manual's layout, as dot rows."""
    i = data.index(b"\x1b\x26")
    y, c1, c2 = data[i + 2], data[i + 3], data[i + 4]
    i += 5
    glyphs: dict[int, list[str]] = {}
    for code in range(c1, c2 + 1):
        x = data[i]
        columns = data[i + 1 : i + 1 + x * y]
        i += 1 + x * y
        rows = []
        for dot in range(8 * y):
            byte, bit = divmod(dot, 8)
            rows.append(
                "".join("#" if columns[c * y + byte] >> (7 - bit) & 1 else "." for c in range(x))
            )
        glyphs[code] = rows
    return glyphs


def test_the_two_commands_as_the_manual_lays_them_out() -> None:
    assert cmd.user_defined(3, 0x21, [(12, bytes(36))]) == bytes.fromhex(
        "1B 26 03 21 21 0C"
    ) + bytes(36)
    assert cmd.user_defined_set(True) == bytes.fromhex("1B 25 01")
    assert cmd.user_defined_set(False) == bytes.fromhex("1B 25 00")
    with pytest.raises(ValueError):
        cmd.user_defined(3, 126, [(12, bytes(36)), (12, bytes(36))])  # past code 126
    with pytest.raises(ValueError):
        cmd.user_defined(3, 0x21, [(13, bytes(39))])  # wider than font A


def test_welsh_letters_become_user_defined_characters() -> None:
    profile = get_profile("tm-t88")  # Epson: no ISO-8859-14, ESC & documented
    assert profile.welsh_fallback == "user_defined"
    data = render_receipt(
        Receipt([Line("Dŵr a tŷ"), Line("Tŵr")], cut="none", feed_before_cut=0), profile
    )
    # defined once, codes 21…28 (eight glyphs: ŵ ŷ Ŵ Ŷ ẁ ẃ ẅ ỳ), each 12 dots wide, 3 bytes high
    assert data.count(b"\x1b\x26") == 1
    assert data[data.index(b"\x1b\x26") :][:5] == bytes.fromhex("1B 26 03 21 28")
    # each Welsh letter: ESC % 1, its code, ESC % 0 — the other letters stay in the code page
    assert b"D\x1b%\x01\x21\x1b%\x00r a t\x1b%\x01\x22\x1b%\x00\n" in data
    assert b"T\x1b%\x01\x21\x1b%\x00r\n" in data
    text = data[data.index(b"D\x1b%") :]  # after the glyph data
    assert b"Dwr" not in text and b"?" not in text
    glyphs = user_defined_glyphs(data)
    assert sorted(glyphs) == list(range(0x21, 0x29))
    assert "\n".join(glyphs[0x21]) == W_CIRCUMFLEX
    # ŷ: the same accent over a y with a descender below the baseline (rows 19–22)
    assert glyphs[0x22][5:8] == glyphs[0x21][5:8] and any("#" in r for r in glyphs[0x22][19:23])


def test_a_line_switches_code_page_where_it_must() -> None:
    profile = get_profile("tm-t88")  # CP858 (19) first, ISO 8859-2 (39) last
    data = render_receipt(Receipt([Line("Łódź €5")], cut="none", feed_before_cut=0), profile)
    # Ł ó ź only in 8859-2; € only in CP858: one ESC t before the line, one inside it
    assert data.endswith(b"\x1bt\x27" + b"\xa3\xf3d\xbc " + b"\x1bt\x13" + b"\xd5" + b"5\n")


def test_welsh_over_a_pty_prints_the_letters(tmp_path) -> None:
    emu = ReceiptPrinterEmulator(profile="tm-t88")
    host = PtyHost(emu)
    host.start()
    printer = ReceiptPrinter("receipt", host.url, profile="tm-t88", backoff=Backoff(0.01, 0.05))
    printer.open()
    try:
        printer.print_receipt(Receipt([Line("Dŵr a tŷ · Ŵ Ŷ ẁ ẃ ẅ ỳ"), Line("Łódź €5")]))
        assert wait_until(lambda: bool(emu.receipts))
        assert [line.text for line in emu.receipts[-1].lines] == [
            "Dŵr a tŷ · Ŵ Ŷ ẁ ẃ ẅ ỳ",
            "Łódź €5",
        ]
    finally:
        printer.close()
        host.stop()


def test_the_welsh_fallback_is_a_per_device_option(tmp_path) -> None:
    from peripherals.errors import ConfigurationError
    from peripherals.registry import create_device

    printer = create_device(
        "escpos", "receipt", "/dev/ttyUSB0", {"welsh_fallback": "user_defined"}, tmp_path, None
    )
    assert printer.profile.welsh_fallback == "user_defined"
    with pytest.raises(ConfigurationError):
        create_device(
            "escpos", "receipt", "/dev/ttyUSB0", {"welsh_fallback": "ascii"}, tmp_path, None
        )
