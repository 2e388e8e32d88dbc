"""The problem collector the parsers share, and small typed readers for TOML values.

Every reader records a problem and returns a harmless default instead of raising, so one pass over
a file finds every mistake in it (staff fix them all at once, not one per run).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from .model import LANGUAGES, Text
from .problems import Problem
from .toml_lines import KeyLines, format_path

Path = tuple[str | int, ...]

LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}


class Collector:
    """Problems found in one file, each placed on a line when the source shows one."""

    def __init__(self, file: str, lines: KeyLines | None = None) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: Sequence[str | int], message: str) -> None:
        line = self.lines.line(path) if self.lines is not None else None
        self.problems.append(Problem(self.file, line, format_path(path), message))

    def unknown_keys(self, table: dict[str, Any], path: Path, allowed: Iterable[str]) -> None:
        """Report keys nobody reads: usually a typo that would otherwise be silently ignored."""
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"expected one of {', '.join(allowed)}"
                )
                self.add((*path, key), f"unknown key '{key}' ({hint})")

    def table(self, value: Any, path: Path, what: str = "a table") -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.add(path, f"must be {what}, not {type_name(value)}")
        return None

    def string(self, table: dict[str, Any], key: str, path: Path, *, required: bool) -> str | None:
        if key not in table:
            if required:
                self.add((*path, key), f"missing '{key}'")
            return None
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.add((*path, key), f"must be a non-empty text in quotes, not {type_name(value)}")
            return None
        return value

    def boolean(self, table: dict[str, Any], key: str, path: Path, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.add((*path, key), f"must be true or false, not {type_name(value)}")
            return default
        return value

    def string_list(self, table: dict[str, Any], key: str, path: Path) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add((*path, key), 'must be a list of texts, like ["a", "b"]')
            return []
        return value

    def text(self, table: dict[str, Any], key: str, path: Path, *, required: bool) -> Text | None:
        """A bilingual text: ``key.en`` and ``key.cy`` (or ``[key]`` with ``en``/``cy``)."""
        where = (*path, key)
        if key not in table:
            if required:
                self.add(where, f'missing \'{key}\' (write {key}.en = "…" and {key}.cy = "…")')
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.add(
                where,
                f'must have a text per language ({key}.en = "…" and {key}.cy = "…"), '
                f"not {type_name(value)}",
            )
            return None
        self.unknown_keys(value, where, LANGUAGES)
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            got = value.get(lang)
            if got is None:
                self.add((*where, lang), f"missing {LANGUAGE_NAMES[lang]} ({lang}) translation")
            elif not isinstance(got, str) or not got.strip():
                self.add(
                    (*where, lang), f"{LANGUAGE_NAMES[lang]} ({lang}) text is empty or not text"
                )
            else:
                texts[lang] = got.strip()
        if len(texts) != len(LANGUAGES):
            return None
        return Text(en=texts["en"], cy=texts["cy"])


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
