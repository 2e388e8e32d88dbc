"""Device input (card swipes, scanned codes) waiting for the session to use it.

Input that arrives while nobody is at the kiosk is dropped rather than buffered: otherwise a code
scanned on the attract screen would end up in the next person's session.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

__all__ = ["DeviceInput", "DeviceInputBuffer"]


@dataclass(frozen=True)
class DeviceInput:
    source: str
    """The peripheral's configured name, e.g. "scanner"."""
    data: object
    at: datetime

    def __repr__(self) -> str:
        return f"DeviceInput(source={self.source!r}, data=<hidden>, at={self.at.isoformat()})"


class DeviceInputBuffer:
    def __init__(self, capacity: int = 32) -> None:
        self._items: deque[DeviceInput] = deque(maxlen=capacity)

    def add(self, item: DeviceInput) -> None:
        self._items.append(item)

    def take(self) -> list[DeviceInput]:
        items = list(self._items)
        self._items.clear()
        return items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
