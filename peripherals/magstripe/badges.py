"""Staff and technician badges, recognised by configured card-number prefixes.

Why prefixes: badges are ordinary magstripe cards from the office's own number range (or carry a
track 1 such as ``%STF000042?`` that is not in bank-card format), so the kiosk
needs no badge database to tell a badge from a citizen's card — the case service checks the staff id
when the assisted session starts. The longest matching prefix wins; technician beats staff on a tie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["BadgeMatch", "BadgeRules"]


@dataclass(frozen=True)
class BadgeMatch:
    role: str  # "staff" or "technician"
    staff_id: str


def _clean(prefixes: Iterable[object], what: str) -> tuple[str, ...]:
    if isinstance(prefixes, str):
        prefixes = [prefixes]
    out = []
    for p in prefixes:
        text = str(p).replace(" ", "").replace("-", "").upper()
        if not text.isalnum() or not text.isascii():
            raise ValueError(f"{what} prefix {p!r} must be letters or digits")
        out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class BadgeRules:
    staff_prefixes: tuple[str, ...] = ()
    technician_prefixes: tuple[str, ...] = ()

    @classmethod
    def from_options(
        cls, staff: Iterable[object] = (), technician: Iterable[object] = ()
    ) -> BadgeRules:
        return cls(_clean(staff, "staff"), _clean(technician, "technician"))

    def match(self, pan: str) -> BadgeMatch | None:
        """The badge this PAN is, or None for an ordinary card. The id is the digits after the
        prefix (an empty id is not a badge)."""
        best: tuple[int, int, str] | None = None  # (prefix length, technician?, role)
        for role, prefixes in (
            ("staff", self.staff_prefixes),
            ("technician", self.technician_prefixes),
        ):
            for prefix in prefixes:
                if pan.startswith(prefix) and len(pan) > len(prefix):
                    key = (len(prefix), role == "technician", role)
                    if best is None or key[:2] > best[:2]:
                        best = key
        if best is None:
            return None
        return BadgeMatch(best[2], pan[best[0] :])
