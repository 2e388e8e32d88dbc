"""``kiosk catalogue check [DIR]``: list every problem in the service files, for office staff.

Prints one problem a line (``file:line: key: message``, sorted by file then line) and a summary;
exit status 0 when there is none, 1 when there are problems, 2 when the directory is missing.
Bad input never produces a traceback: the loader turns every failure into a problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from .loader import load_catalogue


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def main(directory: str, out: TextIO) -> int:
    path = Path(directory)
    if not path.exists():
        out.write(f"{directory}: no such directory; nothing was checked\n")
        return 2
    if not path.is_dir():
        out.write(f"{directory}: not a directory; give the folder that holds the service files\n")
        return 2
    catalogue, problems = load_catalogue(path)
    for problem in problems:
        out.write(f"{problem}\n")
    services = len(catalogue.services)
    if not problems:
        out.write(f"{_plural(services, 'service')}, 0 problems\n")
        return 0
    files = len({p.file for p in problems})
    out.write(
        f"{_plural(services, 'service')} loaded, {_plural(len(problems), 'problem')} "
        f"in {_plural(files, 'file')}\n"
    )
    return 1
