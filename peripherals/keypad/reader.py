"""KeypadReader: a tactile keypad's evdev node → navigation actions, on its own reader thread.

It is a :class:`peripherals.wedge.KeyboardTransport` (open, EVIOCGRAB, reconnect with backoff,
`struct input_event` decoding — one home for all of that) whose records become actions instead of
typed text: EV_KEY of a mapped code → ``on_action(action, value)`` with the kernel's value:
1 press, 0 release (help is held while listening: touch to hear), 2 autorepeat — passed on for
up/down/left/right only (a held Select must not activate twice); EV_SYN/EV_MSC records and
unmapped keys → nothing.

Failure model: open/grab errors are DeviceUnavailable (the transport retries in the background);
an exception in ``on_action`` is logged and the reader goes on. A short read keeps the partial
record until the rest arrives. No key is ever logged (a keypad is not secret, but the kiosk logs
no input at all).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from peripherals.events import DeviceEvent
from peripherals.keypad.keys import EV_KEY, REPEATING, key_map
from peripherals.transport import Backoff, Protocol
from peripherals.wedge.keyboard import KeyboardTransport, open_evdev
from peripherals.wedge.keymap import decode_records

__all__ = ["PRESS", "RELEASE", "REPEAT", "KeypadPressed", "KeypadReader"]

log = logging.getLogger(__name__)


PRESS, RELEASE, REPEAT = 1, 0, 2


@dataclass(frozen=True)
class KeypadPressed(DeviceEvent):
    """A navigation key: ``action`` is one of peripherals.keypad.ACTIONS; ``value`` the kernel's
    (1 press, 0 release, 2 autorepeat)."""

    action: str
    value: int = PRESS

    @property
    def released(self) -> bool:
        return self.value == RELEASE


class KeypadReader(KeyboardTransport):
    def __init__(
        self,
        url: str,
        on_action: Callable[[str, int], None],
        *,
        name: str | None = None,
        keys: Mapping[str, Any] | None = None,
        backoff: Backoff | None = None,
        opener: Callable[[str], int] = open_evdev,
    ) -> None:
        super().__init__(url, Protocol(), name=name, backoff=backoff, opener=opener)
        self.keys = key_map(keys)  # ConfigurationError for a bad map, now
        self.on_action = on_action
        self.presses = 0

    def _deliver(self, records: bytes) -> None:
        for kind, code, value in decode_records(records):
            if kind != EV_KEY or value not in (PRESS, RELEASE, REPEAT):
                continue
            action = self.keys.get(code)
            if action is None or (value == REPEAT and action not in REPEATING):
                continue
            self.presses += value == PRESS
            self._call(self.on_action, action, value)
