"""Welsh letters as user-defined characters, for printers whose code pages lack ISO-8859-14.

Why: ŵ and ŷ are ordinary Welsh letters ("dŵr", "tŷ"); folding them to w/y changes words, and a
whole line as a picture costs ~20× the bytes. ESC/POS lets the host download glyphs into codes
32–126 of a "user-defined character set" (Epson ESC/POS reference, ESC & and ESC %):

    ESC & y c1 c2 [x1 d1 … d(y·x1)] … [xk d1 … d(y·xk)]      1B 26 y c1 c2 …   define codes c1…c2
    ESC % n                                                  1B 25 n           n bit 0: 1 = use them

y is the glyph height in bytes (3 for font A's 24 dots), each x the width in dots (≤ 12 for font A),
and the data goes column by column, left to right, y bytes per column, the most significant bit at
the top. Codes without a definition print the resident character, so the set is switched on only
around the Welsh letters (ESC % 1, code, ESC % 0) and the codes chosen (21–28, "!"…"(") are never
misread. The glyphs are drawn below (12 × 24 dots, font A), accents composed onto w/y/W/Y.
"""

from __future__ import annotations

from peripherals.escpos import commands as cmd

__all__ = ["CODES", "FIRST_CODE", "GLYPHS", "define_all", "glyph_columns", "wrap"]

WIDTH, HEIGHT, Y_BYTES = 12, 24, 3
FIRST_CODE = 0x21

_w = [
    ".##......##.",
    ".##......##.",
    ".##..##..##.",
    ".##..##..##.",
    ".##.####.##.",
    ".###.##.###.",
    "..###..###..",
    "..##....##..",
    "..##....##..",
]  # rows 10–18
_y = [
    ".##......##.",
    ".##......##.",
    "..##....##..",
    "..##....##..",
    "...##..##...",
    "...##..##...",
    "....####....",
    "....####....",
    ".....##.....",
    ".....##.....",
    "....##......",
    "....##......",
    "..###.......",
]  # rows 10–22
_W = [
    ".##......##.",
    ".##......##.",
    ".##......##.",
    ".##......##.",
    ".##......##.",
    ".##......##.",
    ".##..##..##.",
    ".##..##..##.",
    ".##..##..##.",
    ".##.####.##.",
    ".##.####.##.",
    ".###.##.###.",
    "..###..###..",
    "..##....##..",
    "..##....##..",
]  # rows 4–18
_Y = [
    ".##......##.",
    ".##......##.",
    "..##....##..",
    "..##....##..",
    "...##..##...",
    "...##..##...",
    "....####....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
    ".....##.....",
]  # rows 4–18
_ACCENTS = {
    "circumflex": ["....####....", "...##..##...", "..##....##.."],
    "grave": ["...##.......", "....##......", ".....##....."],
    "acute": [".......##...", "......##....", ".....##....."],
    "diaeresis": ["...##..##...", "...##..##...", "............"],
}
# character → (base rows, first base row, accent, first accent row)
_PARTS = {
    "ŵ": (_w, 10, "circumflex", 5),
    "ŷ": (_y, 10, "circumflex", 5),
    "Ŵ": (_W, 4, "circumflex", 0),
    "Ŷ": (_Y, 4, "circumflex", 0),
    "ẁ": (_w, 10, "grave", 5),
    "ẃ": (_w, 10, "acute", 5),
    "ẅ": (_w, 10, "diaeresis", 6),
    "ỳ": (_y, 10, "grave", 5),
}


def _draw(base: list[str], top: int, accent: str, accent_top: int) -> tuple[str, ...]:
    rows = ["." * WIDTH] * HEIGHT
    for i, row in enumerate(base):
        rows[top + i] = row
    for i, row in enumerate(_ACCENTS[accent]):
        rows[accent_top + i] = row
    return tuple(rows)


#: character → 24 rows of 12 dots ("#" ink), and the code it is downloaded to
GLYPHS: dict[str, tuple[str, ...]] = {ch: _draw(*parts) for ch, parts in _PARTS.items()}
CODES: dict[str, int] = {ch: FIRST_CODE + i for i, ch in enumerate(GLYPHS)}


def glyph_columns(rows: tuple[str, ...]) -> bytes:
    """12 columns × 3 bytes, left to right, most significant bit the top dot (ESC & layout)."""
    out = bytearray()
    for col in range(WIDTH):
        bits = "".join("1" if rows[r][col] == "#" else "0" for r in range(HEIGHT))
        out += int(bits, 2).to_bytes(Y_BYTES, "big")
    return bytes(out)


def define_all() -> bytes:
    """ESC & 3 c1 c2, then x = 12 and 36 bytes for each glyph: all of GLYPHS in one command."""
    glyphs = [(WIDTH, glyph_columns(GLYPHS[ch])) for ch in GLYPHS]
    return cmd.user_defined(Y_BYTES, FIRST_CODE, glyphs)


def wrap(ch: str) -> bytes:
    """`ch` printed from the user-defined set: ESC % 1, its code, ESC % 0."""
    return cmd.user_defined_set(True) + bytes([CODES[ch]]) + cmd.user_defined_set(False)
