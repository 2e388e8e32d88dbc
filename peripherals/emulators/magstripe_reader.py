"""A MagTek-style serial card reader on a pseudo-terminal.

It only talks: a swipe is sent as STX, each track followed by its LRC, CR, ETX. What to swipe comes
through the control socket (see peripherals.emulators.control), one line each:

    swipe %B4111111111111111^DOE/JANE^2512101?;4111111111111111=2512101?
                           send these tracks (sentinels included; the emulator adds framing and LRC)
    card PAN [NAME] [YYMM] build tracks 1 and 2 for PAN and send them

Faults (besides unplug, garbled, slow, offline of every emulator):
    bad_lrc    every LRC character is wrong
    e_tracks   every track is sent as a read error (%E? ;E?)
    e_track1   track 1 is sent as %E?, track 2 is fine
    no_lrc     no LRC characters (like most readers in ASCII mode)
    garbled    bytes 0xFF are put in the middle of the track data (and PtyHost adds random junk)
    offline    swipes are swallowed (a reader powered but not reading)
Model switches (faults too, so --fault sets them):
    magtek_insert  a MagTek insertion reader: "card in" (STX ESC 1 CR ETX), then on withdrawal
                   STX ESC tracks 0 CR ETX, never an LRC (the Port Powered Insertion Reader manual)
    idtech         ID TECH MiniMag's own format: no STX/ETX, a CR after each track
    hid_wedge      a USB keyboard-wedge reader: the tracks and Enter as kernel input_event
                   records (US layout) — read with peripherals.wedge (opener open_plain)
"""

from __future__ import annotations

import threading
from typing import ClassVar

from peripherals.emulators.control import ControllableEmulator
from peripherals.magstripe.tracks import lrc
from peripherals.wedge.keymap import keystrokes

__all__ = ["CardReaderEmulator", "tracks_for"]

STX, CR, ETX, ESC = b"\x02", b"\r", b"\x03", b"\x1b"


def tracks_for(pan: str, name: str = "CITIZEN/TEST", expiry: str = "3012") -> str:
    """ISO 7813 tracks 1 and 2 (sentinels, no LRC) for a test card."""
    return f"%B{pan}^{name[:26]}^{expiry}1010000000?;{pan}={expiry}1010000000?"


class CardReaderEmulator(ControllableEmulator):
    device_faults: ClassVar[frozenset[str]] = frozenset(
        {"bad_lrc", "e_tracks", "e_track1", "no_lrc", "magtek_insert", "idtech", "hid_wedge"}
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.frames_sent: list[bytes] = []

    def on_bytes(self, data: bytes) -> None:
        """A serial reader in ASCII mode ignores what the host sends."""

    def frame(self, tracks: str) -> bytes:
        """The bytes a swipe of `tracks` produces with the current faults."""
        insert, idtech = "magtek_insert" in self.faults, "idtech" in self.faults
        out = bytearray(b"" if idtech else STX + (ESC if insert else b""))
        for text in _split(tracks):
            if "e_tracks" in self.faults or ("e_track1" in self.faults and text[0] == "%"):
                text = text[0] + "E?"
                out += text.encode("ascii")
                continue
            body = text.encode("ascii")
            if "garbled" in self.faults and len(body) > 4:
                middle = len(body) // 2
                body = body[:middle] + b"\xff\xfe" + body[middle:]
            out += body
            if "no_lrc" not in self.faults and not insert:
                check = lrc(text)
                if "bad_lrc" in self.faults:
                    check = chr(ord(check) ^ 0x01)
                out += check.encode("ascii")
            if idtech:
                out += CR
        if idtech:
            return bytes(out)
        out += (b"0" if insert else b"") + CR + ETX
        return bytes(out)

    def swipe(self, tracks: str) -> bool:
        """Send one swipe; False when it was swallowed (offline/unplugged)."""
        if "offline" in self.faults or self.host is None or not self.host.plugged:
            return False
        data = self.frame(tracks)
        if "hid_wedge" in self.faults:  # a keyboard types the tracks, then Enter
            data = keystrokes(tracks + "\n")
        elif "magtek_insert" in self.faults:
            self.send(STX + ESC + b"1" + CR + ETX)  # card in: the rear sensor is blocked
        with self._lock:
            self.frames_sent.append(data)
        self.send(data)
        self.show("swipe sent")
        return True

    def command(self, verb: str, arg: str) -> str:
        if verb == "swipe":
            try:
                arg.encode("ascii")
            except UnicodeEncodeError:
                return "error: track data must be ASCII"
            if not arg or arg[0] not in "%;+":
                return "error: give tracks with their sentinels, e.g. ;4111111111111111=3012?"
            return "ok swiped" if self.swipe(arg) else "ok swallowed (offline or unplugged)"
        if verb == "card":
            parts = arg.split()
            if not parts or not parts[0].isdigit():
                return "error: use 'card PAN [NAME] [YYMM]'"
            tracks = tracks_for(*parts[:3])
            return "ok swiped" if self.swipe(tracks) else "ok swallowed (offline or unplugged)"
        return super().command(verb, arg)


def _split(tracks: str) -> list[str]:
    out: list[str] = []
    start = 0
    while start < len(tracks):
        end = tracks.find("?", start)
        end = len(tracks) - 1 if end < 0 else end
        out.append(tracks[start : end + 1])
        start = end + 1
    return out
