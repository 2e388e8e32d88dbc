"""Receipt printer profiles (profiles.toml) and the choice of code page per line of text.

Why data: models differ in paper width, resolution, code-page numbering and features (native QR,
automatic status back, completion ids). The driver asks the profile before using a feature, and a new
model is a new TOML table, not new code.

Text: each line is encoded in the first code page of the profile that holds every character of it
(so Welsh ŵ/ŷ select ISO-8859-14 where the model has it). When none does, the line is encoded
character by character, switching code page within the line where another page of the profile has
the character (`encode_mixed`), and the profile's `welsh_fallback` decides for characters no page
has: "user_defined" (ŵ ŷ Ŵ Ŷ ẁ ẃ ẅ ỳ downloaded as user-defined characters, see udc.py — exact, a
few bytes), "transliterate" (drop the diacritic only where needed: ŵ→w, keep â ê î ô û) or
"raster" (the driver prints that line as a picture). See profiles.toml for the reasoning.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peripherals.errors import ConfigurationError

__all__ = ["DEFAULT_PROFILES", "Profile", "get_profile", "load_profiles"]

DEFAULT_PROFILES = Path(__file__).with_name("profiles.toml")
FALLBACKS = ("transliterate", "raster", "user_defined")
ASCII_PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "*",
}  # fmt: skip
"""Typographic punctuation a code page may lack (no page holds both ’ and ŵ): folded, never "?"."""


def fold_punctuation(line: str) -> str:
    """``line`` with typographic punctuation as ASCII (’ → ', – → -)."""
    return "".join(ASCII_PUNCTUATION.get(ch, ch) for ch in line)


CUTS = ("partial", "full", "none")
BUFFER_CLEARS = ("dle_dc4", "dle_enq", "none")


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    width_dots: int = 576
    width_chars: int = 48
    dpi: int = 203
    code_pages: dict[str, int] = field(default_factory=lambda: {"cp437": 0})
    welsh_fallback: str = "transliterate"
    native_qr: bool = True
    asb: bool = True
    completion_id: bool = True
    realtime_status: bool = True
    cut: str = "partial"
    raster_band: int = 64
    buffer_clear: str = "dle_dc4"

    def __post_init__(self) -> None:
        if self.welsh_fallback not in FALLBACKS:
            raise ConfigurationError(
                f"profile {self.name}: welsh_fallback must be one of {FALLBACKS}"
            )
        if self.cut not in CUTS:
            raise ConfigurationError(f"profile {self.name}: cut must be one of {CUTS}")
        if self.buffer_clear not in BUFFER_CLEARS:
            raise ConfigurationError(
                f"profile {self.name}: buffer_clear must be one of {BUFFER_CLEARS}"
            )
        if not self.code_pages:
            raise ConfigurationError(f"profile {self.name}: needs at least one code page")
        for codec in self.code_pages:
            try:
                "a".encode(codec)
            except LookupError:
                raise ConfigurationError(f"profile {self.name}: unknown codec {codec!r}") from None

    @property
    def default_code_page(self) -> tuple[str, int]:
        codec, table = next(iter(self.code_pages.items()))
        return codec, table

    def encode_native(self, line: str) -> tuple[str, int, bytes] | None:
        """(codec, ESC t number, bytes) of the first code page that holds the whole line, or None."""
        for codec, table in self.code_pages.items():
            try:
                return codec, table, line.encode(codec)
            except UnicodeEncodeError:
                continue
        return None

    def encode_mixed(
        self, line: str, table: int | None = None
    ) -> tuple[int | None, bytes, int | None]:
        """(first code table, bytes, last table) for a line no single page holds: each character
        from the page in use when it has it, else from the first page that does (ESC t inside the
        line); user-defined glyphs or transliteration (per `welsh_fallback`) for the rest.

        The first table is selected by the caller before the line (None: the line needs none);
        `table` is the one the printer has selected now."""
        from peripherals.escpos import udc

        by_table = {t: c for c, t in self.code_pages.items()}
        out = bytearray()
        first: int | None = None
        current = table
        for ch in line:
            if ch.isascii():
                out += ch.encode("ascii")
                continue
            page = current if current in by_table and _has(by_table[current], ch) else None
            if page is None:
                page = next((t for c, t in self.code_pages.items() if _has(c, ch)), None)
            if page is None:
                if self.welsh_fallback == "user_defined" and ch in udc.GLYPHS:
                    out += udc.wrap(ch)
                else:
                    out += self.transliterate(
                        ch, by_table.get(current) if current is not None else None
                    )
                continue
            if first is None:
                first = page
            elif page != current:
                out += b"\x1bt" + bytes([page])
            current = page
            out += ch.encode(by_table[page])
        return first, bytes(out), current

    def transliterate(self, line: str, codec: str | None = None) -> bytes:
        """Encode in `codec` (default: the first page), dropping diacritics only where needed."""
        codec = codec or self.default_code_page[0]
        out = bytearray()
        for ch in line:
            try:
                out += ch.encode(codec)
                continue
            except UnicodeEncodeError:
                pass
            base = ASCII_PUNCTUATION.get(ch) or "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
            try:
                out += base.encode(codec) if base else b"?"
            except UnicodeEncodeError:
                out += b"?"
        return bytes(out)


def _has(codec: str, ch: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def load_profiles(path: Path | str = DEFAULT_PROFILES) -> dict[str, Profile]:
    """Every profile in a TOML file; ConfigurationError on a bad file or field."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read printer profiles {path}: {exc}") from exc
    profiles: dict[str, Profile] = {}
    for name, values in raw.get("profiles", {}).items():
        try:
            profiles[name] = Profile(name=name, **_check(values))
        except TypeError as exc:
            raise ConfigurationError(f"profile {name}: {exc}") from exc
    return profiles


def _check(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ConfigurationError("a profile must be a table")
    return dict(values)


_cache: dict[str, Profile] | None = None


def get_profile(name: str = "default") -> Profile:
    """A profile from the bundled profiles.toml by name."""
    global _cache
    if _cache is None:
        _cache = load_profiles()
    try:
        return _cache[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown printer profile {name!r}; known: {', '.join(sorted(_cache))}"
        ) from None
