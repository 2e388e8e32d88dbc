"""The vocabulary of the device model (after UnifiedPOS and XFS4IoT), as enums and small records.

Kept apart from `peripherals.model` (the Device base class) so that events and the bus can use it
without an import cycle; import everything from `peripherals.model`, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

__all__ = [
    "ActionHint",
    "Condition",
    "DeviceState",
    "Fault",
    "HealthLevel",
    "HealthResult",
]


class DeviceState(IntEnum):
    """UnifiedPOS device state; the numbers are the UPOS ones (CLOSED 1 … ERROR 4)."""

    CLOSED = 1
    IDLE = 2
    BUSY = 3
    ERROR = 4


class Condition(StrEnum):
    """What the device itself reports (XFS4IoT device condition, trimmed to what kiosks meet).

    UNKNOWN is ours: the device never answered a status query (clone printers), so we cannot tell.
    """

    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


class ActionHint(StrEnum):
    """Who can fix a fault: staff (`clear`: paper, cover), a technician, or the driver itself."""

    CLEAR = "clear"
    MAINTENANCE = "maintenance"
    RESET = "reset"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Fault:
    """One thing wrong with a device.

    `code` is stable and machine-readable ("paper_out", "cover_open"); `message` is a sentence for
    people (staff screen, diagnostics report) and never contains PII. `blocking` False means a warning
    the device still works with (paper near end): it is reported but does not put the device in ERROR.
    """

    code: str
    condition: Condition
    hint: ActionHint
    message: str
    blocking: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "condition": self.condition.value,
            "hint": self.hint.value,
            "message": self.message,
            "blocking": self.blocking,
        }


class HealthLevel(IntEnum):
    """UPOS CheckHealth levels: INTERNAL has no visible effect, EXTERNAL may print or beep,
    INTERACTIVE needs a person in front of the device (technician screen)."""

    INTERNAL = 1
    EXTERNAL = 2
    INTERACTIVE = 3

    @classmethod
    def parse(cls, value: str | int | HealthLevel) -> HealthLevel:
        """Accept 'internal' / 2 / HealthLevel.EXTERNAL alike (CLI and config hand us strings)."""
        if isinstance(value, HealthLevel):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown health level {value!r} (internal, external, interactive)"
            ) from None


@dataclass(frozen=True)
class HealthResult:
    """The answer to check_health(): one sentence for people plus details for machines."""

    device: str
    level: HealthLevel
    ok: bool
    condition: Condition
    faults: tuple[Fault, ...] = ()
    sentence: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "level": self.level.name.lower(),
            "ok": self.ok,
            "condition": self.condition.value,
            "faults": [f.to_dict() for f in self.faults],
            "sentence": self.sentence,
            "details": dict(self.details),
        }
