"""`kiosk devices` and `kiosk diagnose`: what is configured, and is it all fit to serve citizens?

This module only prints: the checks themselves, and the one runner that runs them all, are in
:mod:`kiosk.diagnostics` (shared with the readiness report, the technician's screen and central's
remote diagnostics command).

Why each command opens the devices itself: these are the technician's tools on a kiosk whose app may
be stopped (or wedged); they must not depend on it. Each device is opened, asked, and closed again;
an absent device opens too (state error, condition no_device), so one broken cable never hides the
others. Device statistics live in ``<data_dir>/devices`` — the same place the kiosk app keeps them.

`diagnose` exits 0 only when every device, the disk, the link to central (reachable, token
accepted), the office central registered this kiosk under (the one kiosk.toml names) and the outbox
(nothing refused, nothing stuck for over an hour) are healthy. Config problems print file:line:
key: message and exit 2, without a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from kiosk.diagnostics.checks import MIN_FREE_BYTES, Check, check_disk
from kiosk.diagnostics.devices import check_configured_device, is_placeholder, opened
from kiosk.diagnostics.runner import Probes, run_checks
from peripherals.errors import PeripheralError
from peripherals.model import HealthLevel

__all__ = ["MIN_FREE_BYTES", "Check", "check_device", "check_disk", "devices", "diagnose"]

check_device = check_configured_device
"""The name ``kiosk diagnose`` knew it by."""


def _load(config_path: str) -> Any:
    # the reports below say what is wrong; the drivers' own warnings would only repeat it
    logging.getLogger("peripherals").setLevel(logging.ERROR)
    from kiosk.config import load_kiosk_config
    from kiosk.config_checks import ConfigError

    try:
        return load_kiosk_config(config_path)
    except ConfigError as exc:
        print(f"kiosk: configuration problem(s):\n{exc}", file=sys.stderr)
        return None


def _device_status(peripheral: Any, data_dir: Path) -> dict[str, Any]:
    base = {"name": peripheral.name, "driver": peripheral.driver, "port": peripheral.port}
    if is_placeholder(peripheral.port):
        return {
            **base,
            "state": "not_started",
            "condition": "unknown",
            "faults": [],
            "note": "emulator placeholder: `kiosk run --simulate` starts it",
        }
    try:
        with opened(peripheral, data_dir) as device:
            status = device.status()
            status["state"] = device.state.name.lower()  # as it was while open
    except PeripheralError as exc:
        return {**base, "state": "error", "condition": "unknown", "faults": [], "note": str(exc)}
    return {**base, **status}


def devices(config_path: str, as_json: bool) -> int:
    """Print every configured device with its state, condition, faults and statistics."""
    config = _load(config_path)
    if config is None:
        return 2
    rows = [_device_status(p, config.data_dir) for p in config.peripherals]
    if as_json:
        print(json.dumps({"kiosk_id": config.kiosk_id, "devices": rows}, indent=2, sort_keys=True))
        return 0
    if not rows:
        print("No devices configured.")
    for row in rows:
        faults = "; ".join(f["message"] for f in row.get("faults", [])) or "no faults"
        print(
            f"{row['name']:<18} {row['driver']:<10} {row['state']:<12} {row['condition']:<15} {faults}"
        )
        print(f"{'':<18} port {row['port']}")
        if row.get("note"):
            print(f"{'':<18} {row['note']}")
        stats = {k: v for k, v in (row.get("statistics") or {}).items() if v}
        if stats:
            print(f"{'':<18} " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    return 0


def diagnose(config_path: str, level: str, as_json: bool, report: str | None) -> int:
    """Health of every device, the disk, central and the outbox; exit 0 only when all are healthy."""
    try:
        health_level = HealthLevel.parse(level)
    except ValueError as exc:
        print(f"kiosk diagnose: {exc}", file=sys.stderr)
        return 2
    config = _load(config_path)
    if config is None:
        return 2
    devices = [
        check_configured_device(p, config.data_dir, health_level) for p in config.peripherals
    ]
    checks = run_checks(devices, Probes.for_config(config))
    healthy = all(c.status != "fault" for c in checks)
    if report:
        try:
            from kiosk.diagnostics.readiness import ReadinessReport

            ReadinessReport.from_checks(
                checks, kiosk_id=config.kiosk_id, office=config.office.name, level=level
            ).write_pdf(report)
        except OSError as exc:
            print(
                f"kiosk diagnose: cannot write the report {report}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 2
    if as_json:
        print(
            json.dumps(
                {
                    "kiosk_id": config.kiosk_id,
                    "level": health_level.name.lower(),
                    "healthy": healthy,
                    "checks": [c.to_dict() for c in checks],
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        for c in checks:
            label = {"ok": "ok", "fault": "FAULT", "not_checked": "not checked"}[c.status]
            print(f"{label:<12} {c.name:<18} {c.sentence}")
        print("All healthy." if healthy else "NOT READY: see the FAULT lines above.")
        if report:
            print(f"Report written to {report}.")
    return 0 if healthy else 1
