"""``kiosk agent [--config F]``: the kiosk runtime without the touchscreen — devices, outbox relay,
heartbeat and remote commands — until SIGTERM or SIGINT.

For a kiosk whose screen is another program, for soak and fleet tests (many kiosk processes on one
machine), and for a technician checking the link before the display is wired. A first start with no
token and an enrolment code left for it enrols first (:func:`kiosk.runtime.enrol.first_start`).
Exit 0 on a signal, 2 when it cannot start (one paragraph on stderr, no traceback).
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path


def run_headless(config_path: str) -> int:
    from catalogue.problems import CatalogueError
    from kiosk.config import ConfigError, load_kiosk_config
    from kiosk.runtime.enrol import EnrolError, first_start
    from kiosk.runtime.fleet import software_version

    try:
        config = load_kiosk_config(Path(config_path))
    except ConfigError as exc:
        print(f"kiosk agent: the configuration has problems:\n{exc}", file=sys.stderr)
        return 2
    try:
        enrolled = first_start(config)
    except EnrolError as exc:
        print(f"kiosk agent: enrolment failed: {exc}", file=sys.stderr)
        return 2
    if enrolled is not None:
        print(f"kiosk agent: enrolled as {enrolled.device_id} ({enrolled.office})", file=sys.stderr)

    from kiosk.runtime.app import KioskRuntime

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        runtime = KioskRuntime(config)
    except (ConfigError, CatalogueError) as exc:
        print(f"kiosk agent: cannot start:\n{exc}", file=sys.stderr)
        return 2
    print(
        f"kiosk agent: omnikiosk {software_version()}, kiosk {config.kiosk_id} of office"
        f" {config.office.id}, central {config.central_url}, no screen",
        file=sys.stderr,
        flush=True,
    )
    with runtime:
        stop.wait()
    return 0
