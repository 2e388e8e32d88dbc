"""Typed reads out of parsed TOML that collect problems instead of stopping at the first.

A :class:`Checker` is handed the parsed document; each ``str_``/``int_``/… call returns the value
(or a safe default) and records a :class:`ConfigProblem` with file, line and key when the value is
missing, of the wrong type, or out of range. The loader then raises one :class:`ConfigError`
listing every problem, so one edit-and-retry fixes the whole file.

Exception tree::

    ValueError
     └── ConfigError   (.problems: list[ConfigProblem]; str = one "file:line: key: message" a line)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.config_source import KeyPath, format_key, line_of

__all__ = ["Checker", "ConfigError", "ConfigProblem", "MISSING"]


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(ValueError):
    """The kiosk configuration has one or more problems; ``str()`` lists all of them."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Default meaning "this key is required"."""

_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "an array",
    dict: "a table",
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, int):
        return f"{value!r} (a whole number)"
    if isinstance(value, float):
        return f"{value!r} (a number)"
    return f"{value!r} (a {type(value).__name__})"


class Checker:
    """Collects problems for one file; every method takes the key's path for the message."""

    def __init__(self, file: str, lines: Mapping[KeyPath, int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[ConfigProblem] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(
            ConfigProblem(self.file, line_of(self.lines, path), format_key(path), message)
        )

    def line(self, path: KeyPath) -> int | None:
        return line_of(self.lines, path)

    def known_keys(self, table: Mapping[str, Any], path: KeyPath, known: list[str]) -> None:
        """Report every key of ``table`` that is not in ``known``, with a "did you mean" hint."""
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
            self.problem(path + (key,), f"unknown key{hint}")

    def _get(self, table: Mapping[str, Any], path: KeyPath, key: str, default: Any) -> Any:
        if key in table:
            return table[key]
        if default is MISSING:
            self.problem(path + (key,), "required key is missing")
        return default

    def _typed(self, value: Any, path: KeyPath, want: type, default: Any) -> Any:
        ok = isinstance(value, want) and not (want is not bool and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not ok:
            self.problem(path, f"expected {_TYPE_NAMES[want]}, got {_describe(value)}")
            return None if default is MISSING else default
        return value

    def table(
        self, table: Mapping[str, Any], path: KeyPath, key: str, required: bool = False
    ) -> dict[str, Any] | None:
        """The sub-table (``{}`` when optional and absent); None when the value is not a table."""
        value = self._get(table, path, key, MISSING if required else {})
        if value is MISSING:
            return {}
        result = self._typed(value, path + (key,), dict, None)
        return result if isinstance(result, dict) else None

    def str_(
        self,
        table: Mapping[str, Any],
        path: KeyPath,
        key: str,
        default: Any = MISSING,
        *,
        non_empty: bool = True,
    ) -> Any:
        value = self._get(table, path, key, default)
        if value is default:
            return None if value is MISSING else value
        value = self._typed(value, path + (key,), str, default)
        if isinstance(value, str) and non_empty and not value.strip():
            self.problem(path + (key,), "must not be empty")
            return None
        return value

    def number(
        self,
        table: Mapping[str, Any],
        path: KeyPath,
        key: str,
        default: Any = MISSING,
        *,
        whole: bool = False,
        low: float | None = None,
        high: float | None = None,
        why_low: str = "",
    ) -> Any:
        value = self._get(table, path, key, default)
        if value is default:
            return None if value is MISSING else value
        value = self._typed(value, path + (key,), int if whole else float, default)
        if value is None:
            return None
        if low is not None and value < low:
            reason = f" ({why_low})" if why_low else ""
            self.problem(path + (key,), f"must be at least {low:g}{reason}, got {value:g}")
            return None if default is MISSING else default
        if high is not None and value > high:
            self.problem(path + (key,), f"must be at most {high:g}, got {value:g}")
            return None if default is MISSING else default
        return value

    def str_list(
        self, table: Mapping[str, Any], path: KeyPath, key: str, default: Any = MISSING
    ) -> Any:
        value = self._get(table, path, key, default)
        if value is default:
            return None if value is MISSING else value
        value = self._typed(value, path + (key,), list, default)
        if value is None or value is default:
            return value
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(path + (key, i), f"expected a non-empty string, got {_describe(item)}")
            else:
                out.append(item)
        return out
