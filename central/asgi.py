"""``central.asgi:app`` — the app built from the environment (what ``kiosk-central serve`` runs).

Once built, everything alive (modules, the app, SQLAlchemy's and pydantic's machinery) is moved out
of the garbage collector's sight (``gc.freeze``): a full collection then walks only what requests
allocated since, instead of pausing every request in flight for the whole heap. Done here, not in
``create_app``, so tests that build many apps keep a normal collector.
"""

import gc
import logging
import os
import sys

from central.access_log import LOGGER_NAME
from central.app import create_app


def enable_access_log() -> None:
    """The access log on stderr beside the server's own lines, unless ``KIOSK_CENTRAL_ACCESS_LOG``
    is ``0`` (:mod:`central.access_log` says what a line holds: nothing personal)."""
    if os.environ.get("KIOSK_CENTRAL_ACCESS_LOG", "1").strip() in ("0", "false", "no"):
        return
    access = logging.getLogger(LOGGER_NAME)
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s access %(message)s"))
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


enable_access_log()
app = create_app()
app.state.fleet_alert_loop = True  # fleet alerts and availability every 30 s (central.fleet.alerts)
gc.collect()
gc.freeze()
