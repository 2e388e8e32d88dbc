"""The real effects of remote commands on a running kiosk (:class:`kiosk.runtime.commands.Effects`).

* restart: the process stops itself (SIGTERM, the same path as ``systemctl restart``); the unit's
  ``Restart=always`` starts it again. The runner calls it only between sessions.
* reboot: ``systemctl reboot`` (a polkit rule lets the kiosk user ask for it, see deploy/README.md); only
  between sessions.
* test slip: the live receipt printer's external health check, which prints a test slip.
* diagnostics: every live device's internal check, the disk, central, the outbox → the readiness
  report, summarised and rendered to PDF for central's console.
* fetch configuration: central's catalogue and registration read now (configuration bundles come
  with issue 14 item 3).
* screenshot: none here — the screens set ``runtime.commands.effects.screenshot`` (they have the
  window); without it the command fails with a sentence.
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any, Protocol

from kiosk.runtime.commands import Effects


class RuntimeParts(Protocol):
    """What the effects use of :class:`kiosk.runtime.app.KioskRuntime` (named here, so that the
    runtime, which builds its effects from this module, and this module do not import each other)."""

    @property
    def devices(self) -> Any: ...

    @property
    def config(self) -> Any: ...

    @property
    def client(self) -> Any: ...


def _restart() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def _reboot() -> None:
    subprocess.run(["systemctl", "reboot"], check=True, timeout=30, capture_output=True)


def runtime_effects(runtime: RuntimeParts) -> Effects:
    from peripherals.conditions import HealthLevel

    def test_slip() -> dict[str, Any]:
        printer = runtime.devices.by_driver("escpos")
        if printer is None:
            raise RuntimeError("no receipt printer is running")
        result = printer.check_health(HealthLevel.EXTERNAL)
        if not result.ok:
            raise RuntimeError(result.sentence)
        return {"printed": True, "sentence": result.sentence[:200]}

    def diagnostics() -> tuple[dict[str, Any], bytes | None]:
        from kiosk.diagnostics import Probes, ReadinessReport, check_live_device, run_checks

        config = runtime.config
        devices = [
            check_live_device(
                p.name, p.driver, runtime.devices.device(p.name), HealthLevel.INTERNAL
            )
            for p in config.peripherals
        ]
        checks = run_checks(devices, Probes.for_config(config))
        report = ReadinessReport.from_checks(
            checks, kiosk_id=config.kiosk_id, office=config.office.name, level="internal"
        )
        faults = [c.name for c in checks if c.status == "fault"]
        summary = {"healthy": not faults, "checks": len(checks), "faults": faults[:20]}
        return summary, report.to_pdf()

    def fetch_config() -> dict[str, Any]:
        catalogue = runtime.client.catalogue()
        me = runtime.client.registration()
        services = catalogue.get("services") if isinstance(catalogue, dict) else None
        return {
            "services": len(services) if isinstance(services, list) else None,
            "office": me.get("office"),
        }

    return Effects(
        restart=_restart,
        reboot=_reboot,
        test_slip=test_slip,
        diagnostics=diagnostics,
        fetch_config=fetch_config,
    )
