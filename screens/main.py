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

__all__ = ["run"]

log = logging.getLogger("screens.main")


def run(config_path: str | Path, simulate: bool = False) -> int:
    """Start devices, relay and fleet agent, then the app; returns the exit status."""
    from kiosk.config import ConfigError, load_kiosk_config

    try:
        config = load_kiosk_config(Path(config_path))
    except ConfigError as exc:
        print(f"kiosk run: the configuration has problems:\n{exc}", file=sys.stderr)
        return 2
    from screens.env import prepare_kivy

    windowed = bool(os.environ.get("KIOSK_WINDOWED"))
    home = config.data_dir / "kivy"
    prepare_kivy(home=home, size=config.screen.resolution, fullscreen=not windowed)

    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from kiosk.ui.speech import Speaker

    try:
        runtime = KioskRuntime(config, simulate=simulate)
    except ConfigError as exc:
        print(f"kiosk run: cannot start:\n{exc}", file=sys.stderr)
        return 2
    from screens.app import KioskApp

    session = Session.from_config(config, runtime.catalogue)
    speaker = Speaker(default_language=config.default_language)
    if not speaker.available:
        log.warning("audio guidance unavailable: %s", speaker.reason)

    def wire(controller: object) -> None:
        """Badges, PINs, device faults and the technician's screen (screens.device_flows)."""
        try:
            from screens.device_flows import wire_runtime
        except ImportError as exc:
            log.warning("device flows unavailable: %s", exc)
            return
        wire_runtime(controller, runtime, config)

    with runtime:
        KioskApp(session, runtime.backend(), config, speaker=speaker, on_built=wire).run()
    return 0
