"""Magnetic stripe card reader (MagTek-style serial framing, ISO/IEC 7811/7813 tracks 1 and 2).

Layers, each usable alone:
  tracks.py   parse one track, check its LRC, mask the card number (pure functions)
  framing.py  split the serial byte stream into swipe frames (STX … CR/ETX), with a deadline
  badges.py   recognise staff and technician badges by configured prefixes
  driver.py   the Device: reader thread → frames → CardSwiped / StaffBadge / ReadError events

Card numbers are masked at the driver: no event, repr, log line or exception holds a full PAN.

Errors (all from peripherals.errors; a bad swipe is an event, never an exception):
    PeripheralError
    ├── ConfigurationError    bad option (prefix not digits, unknown option)
    └── DeviceUnavailable     the reader's port is gone (the transport reconnects by itself)
"""

from peripherals.magstripe.badges import BadgeRules
from peripherals.magstripe.events import StaffBadge
from peripherals.magstripe.tracks import Swipe, mask_pan, parse_swipe

__all__ = ["BadgeRules", "StaffBadge", "Swipe", "mask_pan", "parse_swipe"]
