"""USB HID keyboard-wedge readers and scanners, read from evdev with an exclusive grab.

Most USB card readers and barcode scanners are keyboards: they "type" what they read. Left to the
desktop, those keystrokes would land in whatever has focus on the kiosk screen — a card number in a
form field. So the kiosk reads them from the kernel's evdev node (/dev/input/eventN, better the
stable /dev/input/by-id/…-event-kbd link) and grabs it (EVIOCGRAB): while grabbed, no other reader
(X, Wayland, the console) sees a single key.

Layers:
  keymap.py     kernel key codes + shift/caps state → characters, per keyboard layout (pure)
  keyboard.py   KeyboardTransport: open + grab the node (the only OS-facing part, kept thin),
                a reader thread that decodes `struct input_event` records and hands the text to
                the same Protocol a SerialTransport would — so the magstripe and scanner drivers
                parse it exactly as serial bytes (option port = /dev/input/…)

Errors: DeviceUnavailable when the node cannot be opened or grabbed (EBUSY: another program holds
it); ConfigurationError for an unknown layout; OSError never escapes.
"""

from peripherals.wedge.keyboard import KeyboardTransport, is_evdev_port
from peripherals.wedge.keymap import LAYOUTS, KeyDecoder, decode_records

__all__ = ["LAYOUTS", "KeyDecoder", "KeyboardTransport", "decode_records", "is_evdev_port"]
