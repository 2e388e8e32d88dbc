"""Find the line of a key in TOML source, because :mod:`tomllib` only gives lines for syntax errors.

A light scan, not a parser: it follows ``[table]`` and ``[[array.of.tables]]`` headers (counting the
elements of each array) and ``key = value`` lines (dotted keys too), and skips multi-line strings.
It maps key paths such as ``("steps", 1, "fields", 0, "type")`` to 1-based line numbers. A path
it cannot see (e.g. inside an inline table) falls back to its nearest ancestor that it can.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]

_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")
_AOT_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_PART = re.compile(_KEY_PART)


def _split(dotted: str) -> list[str]:
    parts = []
    for m in _PART.finditer(dotted):
        raw = m.group(0)
        parts.append(raw[1:-1] if raw[0] in "\"'" else raw)
    return parts


class KeyLines:
    """Line numbers of the keys and tables of one TOML document."""

    def __init__(self, source: str) -> None:
        self._lines: dict[Path, int] = {}
        self._scan(source)

    def _resolve(self, parts: Sequence[str], counters: dict[Path, int], new_element: bool) -> Path:
        resolved: Path = ()
        for i, part in enumerate(parts):
            resolved = (*resolved, part)
            last = i == len(parts) - 1
            if last and new_element:
                counters[resolved] = counters.get(resolved, -1) + 1
                resolved = (*resolved, counters[resolved])
            elif resolved in counters:
                resolved = (*resolved, counters[resolved])
        return resolved

    def _scan(self, source: str) -> None:
        counters: dict[Path, int] = {}
        table: Path = ()
        in_string: str | None = None
        for number, line in enumerate(source.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            stripped = line
            if m := _AOT_HEADER.match(stripped):
                table = self._resolve(_split(m.group(1)), counters, new_element=True)
                self._lines.setdefault(table, number)
            elif m := _TABLE_HEADER.match(stripped):
                table = self._resolve(_split(m.group(1)), counters, new_element=False)
                self._lines.setdefault(table, number)
            elif m := _KEY_LINE.match(stripped):
                path = table
                for part in _split(m.group(1)):
                    path = (*path, part)
                    self._lines.setdefault(path, number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor the scan saw; None if none."""
        current = tuple(path)
        while current:
            if current in self._lines:
                return self._lines[current]
            current = current[:-1]
        return None


def format_path(path: Sequence[str | int]) -> str:
    """``("steps", 1, "fields", 0, "type")`` → ``"steps[1].fields[0].type"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
