"""``kiosk run``: the touchscreen app on the real runtime (entry point ``screens.main:run``).

Order matters: Kivy reads its environment at import, so :func:`screens.env.prepare_kivy` runs
before anything imports kivy; the config is read first so the window can take the panel's size.
Set ``KIOSK_WINDOWED=1`` to get a window instead of full screen (development).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

__all__ = ["run"]

log = logging.getLogger("screens.main")


def run(config_path: str | Path, simulate: bool = False) -> int:
    """Start devices, relay and fleet agent, then the app; returns the exit status.

    With ``simulate`` and no central of its own, a local one is started for the run
    (:mod:`kiosk.local_central`). Every problem found before the window opens is told in one
    paragraph on stderr with exit status 2 — never a traceback."""
    from kiosk.config import ConfigError, load_kiosk_config
    from kiosk.local_central import LocalCentralError, simulated_central
    from kiosk.runtime.bundles import configured

    try:
        config = load_kiosk_config(Path(config_path))
    except ConfigError as exc:
        print(f"kiosk run: the configuration has problems:\n{exc}", file=sys.stderr)
        return 2
    config = configured(config)  # the signed bundle this kiosk runs, if any (issue 14 item 3)
    if not simulate:
        return _run(config, simulate)
    try:
        with simulated_central(config):
            return _run(config, simulate)
    except LocalCentralError as exc:
        print(f"kiosk run: cannot start: {exc}", file=sys.stderr)
        return 2


def start_line(config: KioskConfig, simulate: bool) -> str:
    """The one line ``kiosk run`` logs at start: what runs, from which file, talking to whom."""
    from kiosk.runtime.fleet import software_version

    return (
        f"kiosk run: omnikiosk {software_version()}, kiosk {config.kiosk_id} of office"
        f" {config.office.id}, config {config.source}, central {config.central_url}"
        + (", devices simulated" if simulate else "")
    )


def _run(config: KioskConfig, simulate: bool) -> int:
    from catalogue.problems import CatalogueError
    from kiosk.config import ConfigError
    from screens.env import prepare_kivy

    windowed = bool(os.environ.get("KIOSK_WINDOWED"))
    home = config.data_dir / "kivy"
    prepare_kivy(home=home, size=config.screen.resolution, fullscreen=not windowed)

    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from kiosk.session.funnel import features_of
    from kiosk.ui.speech import Speaker

    try:
        runtime = KioskRuntime(config, simulate=simulate)
    except (ConfigError, CatalogueError) as exc:
        print(f"kiosk run: cannot start:\n{exc}", file=sys.stderr)
        return 2
    print(start_line(config, simulate), file=sys.stderr)
    from screens.app import KioskApp

    session = Session.from_config(config, runtime.catalogue, funnel=runtime.funnel)
    speaker = Speaker(default_language=config.default_language)
    if not speaker.available:
        log.warning("audio guidance unavailable: %s", speaker.reason)

    def wire(controller: object) -> None:
        """Badges, PINs, device faults and the technician's screen (screens.device_flows)."""
        ctx = controller.ctx  # type: ignore[attr-defined]
        session.funnel.features = lambda: features_of(ctx.settings)  # names only, at each start
        from screens.remote import wire_remote

        wire_remote(controller, runtime)  # activity, out-of-service overlay, screenshots
        from screens.out_of_service import wire_watchdog

        wire_watchdog(runtime, config)  # systemd watchdog, crash loop, display hours (UI loop)
        try:
            from screens.device_flows import wire_runtime
        except ImportError as exc:
            log.warning("device flows unavailable: %s", exc)
            return
        wire_runtime(controller, runtime, config)

    with runtime:
        KioskApp(session, runtime.backend(), config, speaker=speaker, on_built=wire).run()
    return 0
