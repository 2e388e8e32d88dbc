"""Run every check: the devices, then the disk, the link to central, the office and the outbox.

Why one runner: ``kiosk diagnose``, the readiness report, the technician's screen and central's
remote "diagnostics" command each ran "every check" with their own list, and the lists drifted
(the remote command never compared the office). Each way in now makes its device lines its own
way (opened for the check, or asked of the running app: :mod:`kiosk.diagnostics.devices`) and
hands them here with the four :class:`Probes`; the order and the guard are the same for all.

Failure model: a probe that raises anything becomes a ``fault`` line naming what could not be
checked and the exception's type, never a traceback on a technician's screen and never the
exception's text (it could carry a URL with a token); the type is logged, the text is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.diagnostics.checks import Check, check_disk

__all__ = ["Probes", "guarded", "run_checks"]

log = logging.getLogger("kiosk.diagnostics")

#: The line for a probe that blew up: (kind, sentence with {error} for the exception's type).
FAILED = {
    "disk": ("disk", "The disk could not be checked ({error})."),
    "central": ("link", "Central could not be checked ({error})."),
    "office": ("link", "The office could not be checked ({error})."),
    "outbox": ("outbox", "The outbox could not be read ({error})."),
}


def guarded(name: str, probe: Callable[[], Check]) -> Check:
    """``probe()``, or a fault line when it raises."""
    try:
        return probe()
    except Exception as exc:  # a technician gets a line, never a traceback
        log.warning("%s check failed: %s", name, type(exc).__name__)
        kind, sentence = FAILED.get(name, (name, f"{name} could not be checked ({{error}})."))
        return Check(name, kind, "fault", sentence.format(error=type(exc).__name__))


@dataclass(frozen=True)
class Probes:
    """The checks besides the devices, each a call that answers one :class:`Check`."""

    disk: Callable[[], Check]
    central: Callable[[], Check]
    office: Callable[[], Check]
    outbox: Callable[[], Check]

    @classmethod
    def for_config(cls, config: Any, *, timeout_s: float = 3.0, now: float | None = None) -> Probes:
        """The real probes for a :class:`~kiosk.config.KioskConfig` (``now``: epoch seconds, for
        the outbox's "stuck for how long")."""
        from kiosk.diagnostics.link_checks import check_central, check_outbox
        from kiosk.diagnostics.office_check import check_office

        return cls(
            disk=lambda: check_disk(Path(config.data_dir)),
            central=lambda: check_central(config, timeout_s=timeout_s),
            office=lambda: check_office(config, timeout_s=timeout_s),
            outbox=lambda: check_outbox(config, now=now),
        )

    def replace(self, **probes: Callable[[], Check] | None) -> Probes:
        """These probes with some swapped (None keeps the one there)."""
        kept = {k: v for k, v in probes.items() if v is not None}
        return Probes(**{**self.__dict__, **kept})


def run_checks(devices: Iterable[Check], probes: Probes) -> list[Check]:
    """The device lines in the order given, then disk, central, office and outbox."""
    checks = list(devices)
    for name in ("disk", "central", "office", "outbox"):
        checks.append(guarded(name, getattr(probes, name)))
    return checks
