"""The ``office`` line of ``kiosk diagnose`` and the readiness report: does central know this
kiosk under the office its config names? (See :mod:`kiosk.link.registration` for why it matters.)

* the same office → ``ok``;
* another office → ``fault``, with the sentence that says what to fix;
* central cannot say (unreachable, token refused, an older central without ``/devices/me``) →
  ``not_checked``: a warning, never a crash — the ``central`` line reports the link itself.
"""

from __future__ import annotations

from typing import Any

from kiosk.config_checks import ConfigError
from kiosk.diagnostics.checks import Check
from kiosk.link import CentralClient, CentralError, Offline, Rejected, Unauthorised
from kiosk.link.registration import compare_office

__all__ = ["check_office"]


def _not_compared(config: Any, why: str, details: dict[str, Any]) -> Check:
    sentence = f"Warning: office {config.office.id} not compared with central: {why}."
    return Check("office", "link", "not_checked", sentence, details)


def check_office(config: Any, timeout_s: float = 3.0, client: CentralClient | None = None) -> Check:
    """Compare ``[office] id`` with the office central registered this kiosk's token under."""
    details: dict[str, Any] = {"configured": config.office.id}
    if client is None:
        try:
            token = config.device_token()
        except ConfigError:
            return _not_compared(config, "this kiosk has no device token", details)
        client = CentralClient(config.central_url, token, timeout_s=timeout_s, retries=0)
    try:
        found = compare_office(client, config.office.id)
    except Offline as exc:
        return _not_compared(config, f"central is unreachable ({exc.detail})", details)
    except Unauthorised:
        return _not_compared(config, "central refuses this kiosk's token", details)
    except Rejected as exc:
        why = (
            "this central does not report registrations (GET /devices/me; upgrade it)"
            if exc.status in (404, 405)
            else f"central answered {exc.detail}"
        )
        return _not_compared(config, why, details)
    except CentralError as exc:
        return _not_compared(config, exc.detail, details)
    details.update(registered=found.registered, device_id=found.device_id)
    status = "ok" if found.matches else "fault"
    return Check("office", "link", status, found.sentence(config.source.name), details)
