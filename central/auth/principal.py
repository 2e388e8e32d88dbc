"""Who is calling: a kiosk device or a member of staff."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    kind: str
    """``device`` or ``staff``."""
    id: str
    office: str
    roles: frozenset[str] = field(default_factory=frozenset)
    """Staff roles (``staff``, ``technician``, ``admin``); empty for devices."""

    @property
    def scope(self) -> str:
        """Namespace for idempotency keys and audit: ``device:<id>`` / ``staff:<id>``."""
        return f"{self.kind}:{self.id}"

    def may_touch_office(self, office: str) -> bool:
        """Devices and staff act within their own office; admins everywhere."""
        return "admin" in self.roles or self.office == office
