"""ISO/IEC 7811 track parsing, LRC and PAN masking — pure functions, no I/O.

Track 1 (alphanumeric, 6-bit set 0x20–0x5F): ``%B<PAN>^<NAME>^<YYMM><service code>…?[LRC]``
Track 2 (numeric, 4-bit set 0x30–0x3F):      ``;<PAN>=<YYMM><service code>…?[LRC]``

LRC: the XOR of every character from the start sentinel to the end sentinel inclusive, taken in the
track's own character set (6-bit values for track 1, 4-bit for track 2, as encoded on the stripe) and
sent in that set (chr(0x20 + lrc) / chr(0x30 + lrc)). Readers that send it at all send it as one
character straight after the end sentinel; see `split_tracks` for how it is told from the next track.

A track the reader could not read arrives as ``%E?`` / ``;E?``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Swipe",
    "Track",
    "lrc",
    "mask_pan",
    "parse_swipe",
    "split_tracks",
]

START = {"%": 1, ";": 2, "+": 3}
_OFFSET = {1: 0x20, 2: 0x30, 3: 0x30}
_T1 = re.compile(r"^%B(?P<pan>\d{8,19})\^(?P<name>[^^]{0,26})\^(?P<exp>\d{4}|\^)(?P<rest>[^?]*)\?$")
_T2 = re.compile(r"^;(?P<pan>\d{8,19})=(?P<exp>\d{4}|=)(?P<rest>[0-9]*)\?$")
MASK = "•••• •••• •••• "


def mask_pan(pan: str) -> str:
    """ "•••• •••• •••• 1234": only the last four digits, whatever the length (PCI allows less)."""
    digits = "".join(c for c in pan if c.isdigit())
    return MASK + digits[-4:] if len(digits) >= 4 else MASK.strip()


def lrc(track: str) -> str:
    """The LRC character of `track` (start sentinel … end sentinel) in the track's character set."""
    number = START.get(track[:1], 2)
    offset = _OFFSET[number]
    value = 0
    for ch in track:
        value ^= (ord(ch) - offset) & (0x3F if number == 1 else 0x0F)
    return chr(offset + value)


@dataclass(frozen=True)
class Track:
    """One track of a swipe. `pan` is kept out of repr; `error` says why it is unusable."""

    number: int
    raw: str = field(repr=False)
    pan: str | None = field(default=None, repr=False)
    name: str | None = field(default=None, repr=False)
    expiry: str | None = field(default=None, repr=False)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.pan is not None


@dataclass(frozen=True)
class Swipe:
    """Everything one frame held: tracks 1 and 2 (track 3 is ignored) and frame-level problems."""

    tracks: tuple[Track, ...] = ()
    error: str | None = None

    def track(self, number: int) -> Track | None:
        return next((t for t in self.tracks if t.number == number), None)

    @property
    def usable(self) -> tuple[Track, ...]:
        return tuple(t for t in self.tracks if t.ok)

    @property
    def pan(self) -> str | None:
        """Track 2's PAN (denser error checking on the stripe), else track 1's."""
        for number in (2, 1):
            t = self.track(number)
            if t is not None and t.ok:
                return t.pan
        return None


def split_tracks(payload: str) -> tuple[list[tuple[str, str | None]], str | None]:
    """Cut a frame's payload into (track text, LRC char or None) pairs.

    After an end sentinel ``?``: end of payload → no LRC; a character that is not a start sentinel →
    it is the LRC; a start sentinel → it is the LRC only if it equals the computed LRC *and* what
    follows is the end or another start sentinel (a real track start is followed by ``B``, ``E`` or a
    digit, never by a sentinel). Returns (pairs, error).
    """
    pairs: list[tuple[str, str | None]] = []
    i = 0
    n = len(payload)
    while i < n:
        if payload[i] not in START:
            return pairs, "unexpected characters between tracks"
        end = payload.find("?", i + 1)
        if end < 0:
            return pairs, "track without end sentinel"
        text = payload[i : end + 1]
        i = end + 1
        check: str | None = None
        if i < n:
            nxt = payload[i]
            after = payload[i + 1] if i + 1 < n else None
            if nxt not in START or (nxt == lrc(text) and (after is None or after in START)):
                check = nxt
                i += 1
        pairs.append((text, check))
    return pairs, None


def _parse_track(number: int, text: str, check: str | None) -> Track:
    if text[1:-1] == "E":
        return Track(number, text, error=f"track {number} could not be read")
    if check is not None and check != lrc(text):
        return Track(number, text, error=f"track {number} failed its LRC check")
    if number == 1:
        m = _T1.match(text)
        if m is None:
            return Track(1, text, error="track 1 is not in ISO 7813 format")
        exp = m["exp"] if m["exp"] != "^" else None
        return Track(1, text, m["pan"], m["name"].strip() or None, exp)
    m = _T2.match(text)
    if m is None:
        return Track(2, text, error="track 2 is not in ISO 7813 format")
    exp = m["exp"] if m["exp"] != "=" else None
    return Track(2, text, m["pan"], None, exp)


def parse_swipe(payload: str) -> Swipe:
    """Parse a frame payload (framing bytes already removed) into a Swipe; never raises."""
    if not payload:
        return Swipe(error="empty frame")
    if any(not (0x20 <= ord(c) < 0x7F) for c in payload):
        return Swipe(error="unreadable characters in the frame")
    pairs, error = split_tracks(payload)
    tracks: list[Track] = []
    seen_semicolon = False
    for text, check in pairs:
        number = START[text[0]]
        if number == 2:
            if seen_semicolon:  # MagTek sends track 3 with ';' too: the second ';' track is 3
                continue
            seen_semicolon = True
        if number == 3:
            continue
        if any(t.number == number for t in tracks):
            error = error or f"track {number} appears twice"
            continue
        tracks.append(_parse_track(number, text, check))
    if not tracks and error is None:
        error = "no track in the frame"
    t1, t2 = (next((t for t in tracks if t.number == k and t.ok), None) for k in (1, 2))
    if t1 is not None and t2 is not None and t1.pan != t2.pan:
        error = "tracks 1 and 2 disagree"
        tracks = [Track(t.number, t.raw, error=error) for t in tracks]
    return Swipe(tuple(tracks), error)
