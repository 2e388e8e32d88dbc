"""Reading kiosk.toml as text: TOML syntax errors, line numbers of keys, ``${ENV}`` substitution.

Python's ``tomllib`` gives a line number only for syntax errors and forgets where each key was.
An engineer fixing a kiosk at 7 a.m. wants "kiosk.toml:31: peripherals[1].driver: …", so
:func:`locate_keys` re-reads the text line by line and remembers where every table and key starts.
It is a locator, not a second parser: the values always come from ``tomllib``; if the locator
misses a key (an exotic quoting style), the message falls back to the enclosing table's line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["KeyPath", "format_key", "line_of", "locate_keys", "parse_toml", "substitute_env"]

KeyPath = tuple[str | int, ...]
"""A key inside the document: ``("peripherals", 1, "driver")``."""

_DECODE_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY_LINE = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$"""
)
_INLINE_KEY = re.compile(r"""[{,]\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")
_ENV_REF = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def parse_toml(text: str) -> tuple[dict[str, Any] | None, int | None, str | None]:
    """Parse ``text``; on a syntax error return ``(None, line, message)`` instead of raising."""
    try:
        return tomllib.loads(text), None, None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _DECODE_AT.search(message)
        line = int(found.group(1)) if found else None
        clean = _DECODE_AT.sub("", message).strip()
        if found:
            clean = f"{clean} (column {found.group(2)})"
        return None, line, f"not valid TOML: {clean}"


def _split_dotted(key: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def locate_keys(text: str) -> dict[KeyPath, int]:
    """Map every table header and ``key =`` line to its 1-based line number."""
    lines: dict[KeyPath, int] = {}
    array_counts: dict[tuple[str, ...], int] = {}
    current: KeyPath = ()

    def resolve(names: list[str]) -> KeyPath:
        # A header such as [peripherals.options] inside the last [[peripherals]] element.
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            prefix = tuple(names[: i + 1])
            if prefix in array_counts and i < len(names) - 1:
                path.append(array_counts[prefix] - 1)
        return tuple(path)

    for number, raw in enumerate(text.splitlines(), start=1):
        if match := _ARRAY_HEADER.match(raw):
            names = _split_dotted(match.group(1))
            key = tuple(names)
            array_counts[key] = array_counts.get(key, 0) + 1
            current = resolve(names) + (array_counts[key] - 1,)
            lines.setdefault(current, number)
            lines.setdefault(current[:-1], number)
        elif match := _TABLE_HEADER.match(raw):
            current = resolve(_split_dotted(match.group(1)))
            lines.setdefault(current, number)
        elif match := _KEY_LINE.match(raw):
            names = _split_dotted(match.group(1))
            for end in range(1, len(names) + 1):  # a.b.c = 1 also defines a and a.b here
                lines.setdefault(current + tuple(names[:end]), number)
            path = current + tuple(names)
            rest = match.group(2)
            if rest.lstrip().startswith("{"):
                for inner in _INLINE_KEY.finditer(rest):
                    lines.setdefault(path + tuple(_split_dotted(inner.group(1))), number)
    return lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing key/table that the locator saw."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def format_key(path: KeyPath) -> str:
    """``("peripherals", 1, "driver")`` → ``peripherals[1].driver``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def substitute_env(
    data: Any,
    env: Mapping[str, str],
    on_missing: Callable[[KeyPath, str], None],
    path: KeyPath = (),
) -> Any:
    """Replace ``${NAME}`` / ``${NAME:-default}`` in every string; ``$$`` is a literal ``$``.

    A variable that is unset and has no default is reported through ``on_missing`` (with the key),
    and left in place, so every missing variable of the file is reported in one run.
    """
    if isinstance(data, dict):
        return {k: substitute_env(v, env, on_missing, path + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute_env(v, env, on_missing, path + (i,)) for i, v in enumerate(data)]
    if not isinstance(data, str) or "$" not in data:
        return data

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        value = env.get(name)
        if value is None or (value == "" and default is not None):
            if default is not None:
                return default
            on_missing(path, name)
            return match.group(0)
        return value

    return _ENV_REF.sub(replace, data)
