"""The events the card reader adds to peripherals.events: a staff or technician badge, and the card
sensor of an insertion reader.

Why a separate event and not a CardSwiped with a flag: a badge starts an assisted session or the
diagnostics mode, a citizen's card never does; subscribers should not be able to confuse the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from peripherals.events import DeviceEvent

__all__ = ["CardSensor", "StaffBadge"]


@dataclass(frozen=True)
class StaffBadge(DeviceEvent):
    """A badge matched a configured prefix. `role` is "staff" or "technician"; `staff_id` is the
    digits after the prefix (the badge number is not a payment card, but the PAN still is masked)."""

    role: str
    staff_id: str
    masked_pan: str


@dataclass(frozen=True)
class CardSensor(DeviceEvent):
    """An insertion reader's card sensor changed (MagTek: ``STX ESC 1 CR ETX`` card in, ``… 0 …``
    card out). The tracks, when read, come as a CardSwiped of their own."""

    present: bool
