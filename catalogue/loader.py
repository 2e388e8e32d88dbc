"""Load the service catalogue from a directory: ``<dir>/*.toml``, one service a file.

Files whose names start with ``_`` are not services; ``_life_events.toml`` lists the life-event
groups ("Lost my job", "Moving home"…) that services name. A broken file never takes the others
down: :func:`load_catalogue` returns every good service plus every problem found, and
:func:`load_catalogue_strict` raises when there is any problem at all (central refuses to serve
a half-read catalogue).

Errors::

    Exception
    └── CatalogueError   strict load found problems; ``.problems`` lists them (file, line, key)

Third-party errors (``tomllib.TOMLDecodeError``, ``OSError``, ``UnicodeDecodeError``) never leave
this module: each becomes a :class:`Problem` on the file concerned.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from .collect import Collector
from .fields import parse_id
from .model import Catalogue, LifeEvent, Service
from .parse import parse_service
from .problems import CatalogueError, Problem
from .toml_lines import KeyLines

__all__ = ["CatalogueError", "Problem", "load_catalogue", "load_catalogue_strict", "load_service"]

LIFE_EVENTS_FILE = "_life_events.toml"
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")


def _read(path: Path, c: Collector) -> dict[str, Any] | None:
    """The file's TOML as a table, or None with the problem recorded."""
    try:
        source = path.read_bytes().decode("utf-8")
    except OSError as exc:
        c.add((), f"cannot read the file: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError as exc:
        c.add((), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        return None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_LINE.search(message)
        line = None
        if m and m.group(1):
            line = int(m.group(1))
        elif m:
            line = max(1, source.count("\n") + (0 if source.endswith("\n") else 1))
        detail = _TOML_LINE.sub("", message).strip()
        c.problems.append(Problem(c.file, line, "", f"malformed TOML: {detail}"))
        return None
    c.lines = KeyLines(source)
    return data


def _life_events(directory: Path, problems: list[Problem]) -> dict[str, LifeEvent] | None:
    path = directory / LIFE_EVENTS_FILE
    c = Collector(str(path))
    if not path.is_file():
        c.add((), "missing: list the life-event groups here ([[events]] with id and title)")
        problems.extend(c.problems)
        return None
    data = _read(path, c)
    events: dict[str, LifeEvent] = {}
    if data is not None:
        c.unknown_keys(data, (), ("events",))
        raw = data.get("events")
        if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
            c.add(("events",), "must be one or more [[events]] tables, each with id and title")
            raw = []
        for i, table in enumerate(raw):
            c.unknown_keys(table, ("events", i), ("id", "title"))
            event_id = parse_id(c, table, ("events", i))
            title = c.text(table, "title", ("events", i), required=True)
            if event_id in events:
                c.add(("events", i, "id"), f"duplicate life event id {event_id!r}")
            elif event_id and title is not None:
                events[event_id] = LifeEvent(id=event_id, title=title)
    problems.extend(c.problems)
    return None if c.problems else events


def load_service(
    path: Path, today: date, life_events: set[str] | None = None
) -> tuple[Service | None, list[Problem]]:
    """One service file: the service (None if it has any problem) and the problems found."""
    c = Collector(str(path))
    data = _read(path, c)
    service = parse_service(c, data, today, life_events) if data is not None else None
    return service, sorted(c.problems, key=Problem.sort_key)


def load_catalogue(
    directory: str | Path, today: date | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Every good service in ``directory`` and every problem found (sorted by file and line).

    ``today`` anchors relative date limits when checking that min_date ≤ max_date.
    """
    directory = Path(directory)
    today = today or date.today()
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(str(directory), None, "", "not a directory"))
        return Catalogue(), problems
    events = _life_events(directory, problems)
    known = set(events) if events is not None else None
    services: dict[str, Service] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name.startswith("_") or not path.is_file():
            continue
        service, found = load_service(path, today, known)
        problems.extend(found)
        if service is None:
            continue
        if service.id in services:
            first = services[service.id].source
            c = Collector(str(path), KeyLines(path.read_text(encoding="utf-8")))
            c.add(("id",), f"duplicate service id {service.id!r} (also in {first})")
            problems.extend(c.problems)
            continue
        services[service.id] = service
    catalogue = Catalogue(services=services, life_events=events or {})
    return catalogue, sorted(problems, key=Problem.sort_key)


def load_catalogue_strict(directory: str | Path, today: date | None = None) -> Catalogue:
    """The catalogue, or CatalogueError listing every problem if there is any."""
    catalogue, problems = load_catalogue(directory, today)
    if problems:
        raise CatalogueError(problems)
    return catalogue
