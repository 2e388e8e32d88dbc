"""Issue 17, Welsh: one apostrophe style in everything a citizen reads (the web's strings, the
kiosk's gettext catalogues, the service files) — the typographic ’ of the
catalogue (``i’r``, ``Wedi’i anfon``, ``you’ll``), never a mix of ’ and ' that a screen reader or a
reviewer trips over. Straight quotes stay where they are code (HTML attributes, format fields)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from central.web.i18n import STRINGS

ROOT = Path(__file__).resolve().parents[1]
BETWEEN_LETTERS = re.compile(r"(?<=\w)'(?=\w)")


def _toml_texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _toml_texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _toml_texts(inner)


def _sources() -> Iterator[tuple[str, str]]:
    for key, texts in STRINGS.items():
        for lang, text in texts.items():
            yield f"central/web/i18n.py {key}.{lang}", text
    for path in sorted((ROOT / "config" / "locales").glob("*/LC_MESSAGES/*.po")):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith(("msgid ", "msgstr ", '"')):
                yield f"{path.relative_to(ROOT)}:{number}", line
    for path in sorted((ROOT / "config" / "services").glob("*.toml")):
        for text in _toml_texts(tomllib.loads(path.read_text(encoding="utf-8"))):
            yield str(path.relative_to(ROOT)), text


def test_apostrophes_are_typographic_in_every_citizen_sentence() -> None:
    sources = list(_sources())
    assert len(sources) > 500  # the web's strings and every service file were read
    straight = [f"{where}: {text!r}" for where, text in sources if BETWEEN_LETTERS.search(text)]
    assert straight == []
