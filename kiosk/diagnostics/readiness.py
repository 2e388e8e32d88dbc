"""Is this kiosk fit to serve citizens? One report for the technician, on screen, A4 or receipt.

The checks are the ones ``kiosk diagnose`` runs, run by the same runner
(:func:`kiosk.diagnostics.runner.run_checks`: devices, disk, central, office, outbox), not copies
of them. Two ways in:

* :meth:`ReadinessReport.gather` from a config: devices the running app already holds open are
  passed in ``devices`` and asked directly (opening their port a second time would fail); the rest
  are opened, checked and closed as ``kiosk diagnose`` does.
* :meth:`ReadinessReport.from_checks` from checks made elsewhere (tests, the CLI).

The technician screen adds its interactive results (touch grid, speech) with :meth:`with_checks`.
Renderings: :meth:`text_lines` (screen), :meth:`to_pdf` / :meth:`write_pdf` (A4, see
``readiness_pdf``), :meth:`to_receipt` (ESC/POS, via the receipt printer). No report holds PII.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.diagnostics.checks import VERDICTS, Check
from kiosk.diagnostics.devices import check_configured_device, check_live_device
from kiosk.diagnostics.runner import Probes, run_checks
from peripherals.model import HealthLevel
from peripherals.stats import COUNTERS, DeviceStats

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.diagnostics.touch_grid import TouchGrid
    from kiosk.ui.speech import Speaker
    from peripherals.escpos.receipt import Receipt
    from peripherals.model import Device

__all__ = [
    "VERDICTS",
    "Check",
    "ReadinessReport",
    "check_live_device",
    "speech_check",
    "touch_check",
]


def touch_check(grid: TouchGrid) -> Check:
    """The touchscreen test's outcome as a diagnosis line."""
    status = "ok" if grid.complete else "fault"
    details = {"cells": grid.total, "missed": len(grid.missed()), "outside": grid.outside}
    return Check("touchscreen", "screen", status, grid.summary(), details)


def speech_check(speaker: Speaker, languages: Iterable[str] = ("en", "cy")) -> Check:
    """Can the kiosk speak every language? Renders a word per voice to a temporary WAV (silent)."""
    import subprocess
    import tempfile

    if not speaker.available:
        return Check("speech", "audio", "fault", f"No speech output: {speaker.reason}.")
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-speech-") as tmp:
        for lang in languages:
            wav = Path(tmp) / f"{lang}.wav"
            try:
                speaker.render_wav("Prawf. Test.", wav, lang, timeout=10.0)
                if wav.stat().st_size <= 44:  # a WAV header and no sound
                    failed.append(lang)
            except (OSError, subprocess.SubprocessError):
                failed.append(lang)
    voices = {lang: speaker.voice_for(lang) for lang in languages}
    if failed:
        sentence = f"Speech fails for {', '.join(failed)}: is the espeak-ng voice installed?"
        return Check("speech", "audio", "fault", sentence, {"voices": voices, "failed": failed})
    names = ", ".join(f"{lang} ({voice})" for lang, voice in voices.items())
    return Check("speech", "audio", "ok", f"Speech output works in {names}.", {"voices": voices})


def _stored_statistics(data_dir: Path, name: str) -> dict[str, int]:
    directory = data_dir / "devices"
    if not directory.is_dir():
        return {}
    with contextlib.suppress(OSError):
        return DeviceStats(name, directory).snapshot()
    return {}


@dataclass(frozen=True)
class ReadinessReport:
    kiosk_id: str
    office: str
    level: str
    created_at: datetime
    checks: tuple[Check, ...]
    statistics: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Counters per device name (``peripherals.stats.COUNTERS`` and any a driver adds)."""

    # ------------------------------------------------------------------ building
    @classmethod
    def from_checks(
        cls,
        checks: Iterable[Check],
        *,
        kiosk_id: str,
        office: str = "",
        level: str = "internal",
        statistics: Mapping[str, Mapping[str, int]] | None = None,
        created_at: datetime | None = None,
    ) -> ReadinessReport:
        return cls(
            kiosk_id=kiosk_id,
            office=office,
            level=HealthLevel.parse(level).name.lower(),
            created_at=created_at or datetime.now(UTC),
            checks=tuple(checks),
            statistics={k: dict(v) for k, v in (statistics or {}).items()},
        )

    @classmethod
    def gather(
        cls,
        config: KioskConfig,
        level: str = "internal",
        devices: Mapping[str, Device | None] | None = None,
        *,
        central_timeout_s: float = 3.0,
        now: float | None = None,
    ) -> ReadinessReport:
        """Run every check of ``kiosk diagnose`` for ``config``.

        ``devices`` maps peripheral names to the app's open devices (None for one it could not
        start); peripherals not in it are opened just for the check. ``now`` (epoch seconds) is
        for the outbox's "stuck for how long" and the report's time.
        """
        health_level = HealthLevel.parse(level)
        live = devices or {}
        checks: list[Check] = []
        statistics: dict[str, dict[str, int]] = {}
        for p in config.peripherals:
            if p.name in live:
                device = live[p.name]
                checks.append(check_live_device(p.name, p.driver, device, health_level))
                if device is not None:
                    statistics[p.name] = device.statistics.snapshot()
            else:
                checks.append(check_configured_device(p, config.data_dir, health_level))
                statistics[p.name] = _stored_statistics(config.data_dir, p.name)
        checks = run_checks(checks, Probes.for_config(config, timeout_s=central_timeout_s, now=now))
        stamp = time.time() if now is None else now
        return cls.from_checks(
            checks,
            kiosk_id=config.kiosk_id,
            office=config.office.name,
            level=level,
            statistics=statistics,
            created_at=datetime.fromtimestamp(stamp, UTC),
        )

    def with_checks(self, *checks: Check) -> ReadinessReport:
        """A copy with more lines (interactive tests); a line of the same name is replaced."""
        names = {c.name for c in checks}
        kept = tuple(c for c in self.checks if c.name not in names)
        return replace(self, checks=kept + tuple(checks))

    # ------------------------------------------------------------------ reading
    @property
    def healthy(self) -> bool:
        return all(c.status != "fault" for c in self.checks)

    @property
    def faults(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fault"]

    @property
    def devices(self) -> list[Check]:
        return [c for c in self.checks if c.kind.startswith("device")]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    @property
    def outbox_depth(self) -> int | None:
        """Items waiting to be sent (None when the outbox was not checked)."""
        c = self.check("outbox")
        return None if c is None else int(c.details.get("waiting", 0))

    @property
    def outbox_refused(self) -> int:
        c = self.check("outbox")
        return 0 if c is None else int(c.details.get("refused", 0))

    @property
    def central_latency_ms(self) -> float | None:
        """Round trip to central, None when it did not answer."""
        c = self.check("central")
        value = None if c is None else c.details.get("latency_ms")
        return None if value is None else float(value)

    @property
    def verdict(self) -> str:
        if self.healthy:
            return "READY"
        n = len(self.faults)
        return f"NOT READY: {n} fault{'s' if n != 1 else ''}"

    def counter_names(self) -> list[str]:
        """The standard counters, then any others a driver added, for the statistics table."""
        extra = sorted({k for s in self.statistics.values() for k in s} - set(COUNTERS))
        return [*COUNTERS, *extra]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kiosk_id": self.kiosk_id,
            "office": self.office,
            "level": self.level,
            "created_at": self.created_at.isoformat(),
            "healthy": self.healthy,
            "checks": [c.to_dict() for c in self.checks],
            "statistics": {k: dict(v) for k, v in self.statistics.items()},
            "outbox_depth": self.outbox_depth,
            "central_latency_ms": self.central_latency_ms,
        }

    def text_lines(self) -> list[str]:
        """Plain lines for the diagnostics screen (and logs of shape: no PII in any of them)."""
        when = self.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"{self.kiosk_id} · {when} · level {self.level} · {self.verdict}"]
        lines += [f"{VERDICTS[c.status]:<11} {c.name}: {c.sentence}" for c in self.checks]
        latency = self.central_latency_ms
        lines.append(
            f"Central: {'no answer' if latency is None else f'{latency:g} ms'} · "
            f"outbox: {self.outbox_depth if self.outbox_depth is not None else '?'} waiting"
        )
        return lines

    # ------------------------------------------------------------------ renderings
    def to_pdf(self, *, font: Path | str | None = None) -> bytes:
        """The A4 report (``kiosk.diagnostics.readiness_pdf``)."""
        from kiosk.diagnostics.readiness_pdf import render_pdf

        return render_pdf(self) if font is None else render_pdf(self, font=font)

    def write_pdf(self, path: Path | str, *, font: Path | str | None = None) -> Path:
        """Write the A4 report to ``path`` (atomically: a half-written report never exists)."""
        target = Path(path)
        data = self.to_pdf(font=font)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        return target

    def to_receipt(self, width_chars: int = 42) -> Receipt:
        """A short slip for the receipt printer: verdict, one line per check, link and outbox."""
        import textwrap

        from kiosk.documents.receipt import fold_punctuation
        from peripherals.escpos.receipt import Feed, Line, Receipt

        r = Receipt()
        r.add(Line("Kiosk readiness", bold=True, align="center", width=2, height=2))
        r.add(Line(fold_punctuation(self.kiosk_id), align="center"))
        r.add(Line(self.created_at.strftime("%Y-%m-%d %H:%M UTC"), align="center"))
        r.add(Feed(1))
        r.add(Line(self.verdict, bold=True, align="center", height=2))
        r.add(Feed(1))
        for c in self.checks:
            verdict = VERDICTS[c.status]
            name = c.name[: max(1, width_chars - len(verdict) - 1)]
            r.add(Line(name + " " * (width_chars - len(name) - len(verdict)) + verdict, bold=True))
            for part in textwrap.wrap(fold_punctuation(c.sentence), width_chars - 2)[:3]:
                r.add(Line("  " + part))
        r.add(Feed(1))
        latency = self.central_latency_ms
        r.add(Line(f"Central: {'no answer' if latency is None else f'{latency:g} ms'}"))
        r.add(Line(f"Outbox: {self.outbox_depth or 0} waiting, {self.outbox_refused} refused"))
        r.add(Feed(3))
        return r
