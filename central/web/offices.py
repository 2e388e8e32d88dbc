"""The offices a citizen can choose when starting a service on the web, and the "I'm not sure" rule.

Read once from ``config/offices.toml`` (beside the service catalogue; ``$KIOSK_CENTRAL_OFFICES``
names another file) when the app is built, and checked: every office has an id usable in a case
reference and a name in every catalogue language; ids and postcode prefixes are unique; the default
is one of the offices. A broken or missing file does not stop central: :func:`load` returns the
problems, and the web start pages say the service cannot be started online.

The rule for "I'm not sure": the office whose ``postcodes`` holds the longest prefix of the
citizen's postcode (letters and digits only, so ``CF10`` beats ``CF``), else ``default``.

Errors::

    ValueError
    └── OfficesError   the file has problems (``.problems``, one sentence each)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalogue.model import LANGUAGES, Text
from catalogue.opening_hours import ALWAYS, HoursError, OpeningHours, parse_hours
from catalogue.references import ReferenceError, normalise_office

OFFICES_ENV = "KIOSK_CENTRAL_OFFICES"


class OfficesError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Office:
    id: str
    name: Text
    postcodes: tuple[str, ...] = ()
    hours: OpeningHours = ALWAYS
    """Opening hours (``hours``, in the file's ``timezone``): fleet alerts are held outside them and
    availability counts that time as closed by schedule (:mod:`catalogue.opening_hours`)."""


@dataclass(frozen=True)
class Offices:
    offices: tuple[Office, ...]
    default: str

    def get(self, office_id: str) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)

    def for_postcode(self, postcode: str | None) -> Office:
        """The office the "I'm not sure" rule picks for ``postcode`` (``None``: the default)."""
        key = re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())
        best: tuple[int, Office] | None = None
        for office in self.offices:
            for prefix in office.postcodes:
                if key.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), office)
        if best is not None:
            return best[1]
        office = self.get(self.default)
        assert office is not None  # checked when loaded
        return office


def _text(value: object, where: str, problems: list[str]) -> Text:
    langs = value if isinstance(value, dict) else {}
    for lang in LANGUAGES:
        if not isinstance(langs.get(lang), str) or not langs[lang].strip():
            problems.append(f"{where}: name.{lang} is missing or empty")
    return Text(str(langs.get("en", "")), str(langs.get("cy", "")))


def _zone(name: object, source: str, problems: list[str]) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{source}: unknown timezone {name!r} (e.g. 'Europe/London')")
        return ZoneInfo("Europe/London")


def parse(data: dict, source: str = "offices.toml") -> Offices:
    """Offices from the parsed TOML; raises :class:`OfficesError` listing every problem."""
    problems: list[str] = []
    rows = data.get("offices")
    if not isinstance(rows, list) or not rows:
        raise OfficesError([f"{source}: no [[offices]]"])
    offices: list[Office] = []
    zone = _zone(data.get("timezone", "Europe/London"), source, problems)
    seen_prefix: dict[str, str] = {}
    for n, row in enumerate(rows):
        where = f"{source}: offices[{n}]"
        if not isinstance(row, dict):
            problems.append(f"{where}: not a table")
            continue
        unknown = set(row) - {"id", "name", "postcodes", "hours"}
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        office_id = row.get("id")
        if not isinstance(office_id, str) or not office_id or len(office_id) > 64:
            problems.append(f"{where}: id must be a text of 1 to 64 characters")
            continue
        try:
            normalise_office(office_id)
        except ReferenceError:
            problems.append(f"{where}: id {office_id!r} has no letters or digits")
        if any(o.id == office_id for o in offices):
            problems.append(f"{where}: id {office_id!r} is used twice")
        raw = row.get("postcodes", [])
        prefixes: list[str] = []
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            problems.append(f"{where}: postcodes must be a list of texts")
            raw = []
        for p in raw:
            prefix = re.sub(r"[^A-Z0-9]", "", p.upper())
            if not re.fullmatch(r"[A-Z]{1,2}[0-9A-Z]{0,3}", prefix):
                problems.append(f"{where}: {p!r} is not the start of a postcode (e.g. CF or CF10)")
            elif prefix in seen_prefix:
                problems.append(f"{where}: {prefix} is already {seen_prefix[prefix]}'s")
            else:
                seen_prefix[prefix] = office_id
                prefixes.append(prefix)
        try:
            hours = parse_hours(row.get("hours"), zone, f"{where}: hours")
        except HoursError as exc:
            problems.append(str(exc))
            hours = ALWAYS
        name = _text(row.get("name"), where, problems)
        offices.append(Office(office_id, name, tuple(prefixes), hours))
    default = data.get("default")
    if not isinstance(default, str) or not any(o.id == default for o in offices):
        problems.append(f"{source}: default must be the id of one of the offices")
    if problems:
        raise OfficesError(problems)
    return Offices(tuple(offices), str(default))


def path_for(catalogue_dir: Path) -> Path:
    env = os.environ.get(OFFICES_ENV, "").strip()
    return Path(env) if env else Path(catalogue_dir).parent / "offices.toml"


def load(path: Path) -> Offices:
    """The offices of ``path``; raises :class:`OfficesError` (also for a missing or unreadable
    file, or one that is not TOML)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OfficesError([f"{path}: cannot be read ({type(exc).__name__})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise OfficesError([f"{path}: not TOML ({exc})"]) from None
    return parse(data, path.name)
