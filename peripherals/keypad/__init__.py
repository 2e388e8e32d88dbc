"""Tactile keypad navigation (EZ Access model): a USB HID keypad read from evdev, grabbed.

Why: a citizen who cannot see the screen, or cannot touch it, moves through every control with
up/down (left/right within a row), acts with select, goes back with back and asks "where am I?"
with help (held: touch to hear). Keypads with more keys may map the speech actions too (louder,
quieter, faster, slower, repeat, stop, privacy, audio). The keypad is a keyboard to the kernel; it is grabbed (EVIOCGRAB) so its keys never
reach the desktop as typing.

Layers:
  keys.py     key codes → actions, the default map and the checks of a configured one (pure)
  reader.py   KeypadReader: the wedge's KeyboardTransport (open, grab, decode, reconnect) handing
              actions to a callback on its reader thread; KeypadPressed, the bus event

The kiosk (kiosk.runtime.devices) publishes KeypadPressed on the device bus; the app
(screens.focus) takes it onto the Kivy main thread and moves its focus ring.

Errors: DeviceUnavailable when the node cannot be opened or grabbed; ConfigurationError for a bad
key map; OSError never escapes.
"""

from peripherals.keypad.keys import ACTIONS, DEFAULT_KEYS, SPEECH_ACTIONS, key_map, key_map_problems
from peripherals.keypad.reader import PRESS, RELEASE, REPEAT, KeypadPressed, KeypadReader

__all__ = [
    "ACTIONS",
    "DEFAULT_KEYS",
    "PRESS",
    "RELEASE",
    "REPEAT",
    "SPEECH_ACTIONS",
    "KeypadPressed",
    "KeypadReader",
    "key_map",
    "key_map_problems",
]
