"""Which time zone each office counts its days in (a session counts on the office-local day it
started, so "Monday" means Monday where the office is).

Sources, first match wins: the office's ``timezone`` in the offices file (``config/offices.toml``,
when its rows carry one — the web channel's checker, :mod:`central.web.offices`, does not accept
that key yet, so today this is the hook for it), ``$KIOSK_CENTRAL_OFFICE_TIMEZONES``
(``OFFICE=Zone,OFFICE=Zone``), then the default ``$KIOSK_CENTRAL_TIMEZONE`` (Europe/London). An unknown zone name is refused when the
zones are built (at app start), never half-way through folding a batch.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/London"
ZONE_ENV = "KIOSK_CENTRAL_TIMEZONE"
OFFICE_ZONES_ENV = "KIOSK_CENTRAL_OFFICE_TIMEZONES"


def _zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{where}: unknown time zone {name!r}") from None


@dataclass(frozen=True)
class OfficeZones:
    default: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_ZONE))
    offices: dict[str, ZoneInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, default: str = DEFAULT_ZONE, **offices: str) -> OfficeZones:
        return cls(_zone(default, "default"), {k.upper(): _zone(v, k) for k, v in offices.items()})

    def zone(self, office: str) -> ZoneInfo:
        return self.offices.get(office.upper(), self.default)

    def day(self, office: str, when: datetime) -> date:
        """The office-local date of ``when`` (an aware datetime)."""
        return when.astimezone(self.zone(office)).date()

    @classmethod
    def load(cls, offices_file: Path | None = None) -> OfficeZones:
        default = _zone(os.environ.get(ZONE_ENV, "").strip() or DEFAULT_ZONE, ZONE_ENV)
        found: dict[str, ZoneInfo] = {}
        for pair in filter(None, os.environ.get(OFFICE_ZONES_ENV, "").split(",")):
            office, _, name = pair.partition("=")
            found[office.strip().upper()] = _zone(name.strip(), OFFICE_ZONES_ENV)
        if offices_file is not None and offices_file.is_file():
            try:
                rows = tomllib.loads(offices_file.read_text(encoding="utf-8")).get("offices", [])
            except (OSError, tomllib.TOMLDecodeError):
                rows = []  # the offices module reports a broken file; days fall back to default
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict) and isinstance(row.get("timezone"), str):
                    found[str(row.get("id", "")).upper()] = _zone(
                        row["timezone"], str(offices_file)
                    )
        return cls(default, found)
