"""What the loader reports: one :class:`Problem` per mistake, so office staff can fix them all at once.

A problem names the file, the line (when we can find it) and the key path, e.g.
``config/services/x.toml:42: steps[1].fields[0].type: unknown field type 'colour'``.

Errors::

    Exception
    └── CatalogueError   load_catalogue_strict found problems; ``.problems`` lists every one
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in one catalogue file."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.key, self.message)


class CatalogueError(Exception):
    """The catalogue has problems; raised only by the strict loader."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=Problem.sort_key)
        count = len(self.problems)
        first = f": {self.problems[0]}" if self.problems else ""
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{count} problem(s) in the service catalogue{first}{more}")
