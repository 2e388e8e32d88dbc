"""Is this kiosk registered at central under the office its kiosk.toml names?

The kiosk makes each case's reference itself, with its configured office's code
(:func:`catalogue.references.make_reference`); central refuses (422) a reference whose office code
is not the one the device token was registered under (``kiosk-central add-device --office``). A
mismatch would bury every case in the outbox's dead letters, so ``kiosk diagnose`` reports it and
the runtime warns at start. Offices are compared as reference codes
(:func:`catalogue.references.normalise_office`), exactly as central compares them.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.references import ReferenceError, normalise_office
from kiosk.link.client import CentralClient
from kiosk.link.errors import CentralError

__all__ = ["OfficeComparison", "compare_office", "same_office"]


def same_office(configured: str, registered: str) -> bool:
    """True when references made for ``configured`` are accepted for a device of ``registered``."""
    try:
        return normalise_office(configured) == normalise_office(registered)
    except ReferenceError:  # an office without letters or digits can make no reference at all
        return False


@dataclass(frozen=True)
class OfficeComparison:
    configured: str
    """``[office] id`` in the kiosk's config."""
    registered: str
    """The office central registered the device token under."""
    device_id: str

    @property
    def matches(self) -> bool:
        return same_office(self.configured, self.registered)

    def sentence(self, config_name: str = "kiosk.toml") -> str:
        """What a technician reads (no personal data: office codes and the file name only)."""
        if self.matches:
            return (
                f"{config_name} and central agree: this kiosk is registered under office "
                f"{self.registered}."
            )
        return (
            f"{config_name} says office {self.configured} but central registered this kiosk under "
            f"{self.registered}: cases would be refused. Fix [office] id in {config_name} or "
            f"re-register the device (kiosk-central add-device --office {self.configured})."
        )


def compare_office(client: CentralClient, configured: str) -> OfficeComparison:
    """Ask central (``GET /devices/me``) and compare; raises :class:`kiosk.link.CentralError`
    (Offline, Unauthorised, Rejected, or itself for an answer without an office) when central
    cannot say."""
    found = client.registration()
    registered, device_id = found.get("office"), found.get("device_id")
    if not isinstance(registered, str) or not isinstance(device_id, str):
        raise CentralError("central's /devices/me answer names no office")
    return OfficeComparison(configured, registered, device_id)
