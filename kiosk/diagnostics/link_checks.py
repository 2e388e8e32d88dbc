"""The diagnosis lines for the link to central and the outbox.

Each answers one question a technician asks, with a sentence they can act on: is central
reachable, how fast, and does it accept this kiosk's token; is anything stuck in the outbox or
refused by central for good. The office line is :mod:`kiosk.diagnostics.office_check`.

Failure model: the link's own errors (:class:`~kiosk.link.Offline`, ``Unauthorised``,
``Rejected``, already translated from httpx at the link's edge) become ``fault`` lines; anything
unexpected is turned into a line by :func:`kiosk.diagnostics.runner.guarded`. ``now`` is injected
for the outbox's "stuck for how long".
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.config_checks import ConfigError
from kiosk.diagnostics.checks import Check
from kiosk.link import CentralClient, Offline, Rejected, Unauthorised
from kiosk.outbox import Outbox, outbox_path

__all__ = ["STALE_AFTER_S", "check_central", "check_outbox"]

#: Operations older than this mean the kiosk has not reached central for too long.
STALE_AFTER_S = 3600.0
NO_SUCH_CASE = "00000000-0000-4000-8000-000000000000"


def check_central(config: Any, timeout_s: float = 3.0) -> Check:
    """Reachable, how fast, and does it accept this kiosk's token?"""
    try:
        token = config.device_token()
    except ConfigError as exc:
        return Check("central", "link", "fault", f"No device token: {exc.problems[0].message}.")
    client = CentralClient(config.central_url, token, timeout_s=timeout_s, retries=0)
    details: dict[str, Any] = {"url": config.central_url}
    try:
        latency = client.ping()
        details["latency_ms"] = round(latency * 1000, 1)
        client.get_case(NO_SUCH_CASE)  # authenticated read: 404 means the token is accepted
    except Offline as exc:
        return Check("central", "link", "fault", f"Central is unreachable: {exc.detail}.", details)
    except Unauthorised:
        return Check(
            "central", "link", "fault",
            "Central refuses this kiosk's token: register it again (kiosk-central add-device).",
            details,
        )  # fmt: skip
    except Rejected as exc:
        if exc.status != 404:
            return Check("central", "link", "fault", f"Central answered {exc.detail}.", details)
    return Check(
        "central", "link", "ok",
        f"Central answers in {details['latency_ms']} ms and accepts this kiosk's token.", details,
    )  # fmt: skip


def check_outbox(config: Any, now: float | None = None) -> Check:
    """Is anything stuck on this kiosk, or refused by central for good?"""
    path = outbox_path(config.data_dir)
    if not path.exists():
        return Check("outbox", "outbox", "ok", "Nothing waiting to be sent.", {"path": str(path)})
    box = Outbox(path, None)
    try:
        pending, dead = box.pending(), box.dead_letters()
    finally:
        box.close()
    now = time.time() if now is None else now
    oldest = max((now - row["created_at"] for row in pending), default=0.0)
    details = {"path": str(path), "waiting": len(pending), "refused": len(dead),
               "oldest_s": round(oldest)}  # fmt: skip
    if dead:
        return Check(
            "outbox", "outbox", "fault",
            f"{len(dead)} item(s) refused by central: staff must follow them up (kiosk outbox).",
            details,
        )  # fmt: skip
    if oldest > STALE_AFTER_S:
        return Check(
            "outbox", "outbox", "fault",
            f"{len(pending)} item(s) waiting, the oldest for {oldest / 3600:.1f} h: "
            "is central reachable?",
            details,
        )  # fmt: skip
    sentence = f"{len(pending)} item(s) waiting to be sent." if pending else "Nothing waiting."
    return Check("outbox", "outbox", "ok", sentence, details)
