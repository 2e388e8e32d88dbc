"""Headphones in or out: the jack's switch events, and where speech may go (private listening).

Why: a blind citizen cannot find a visual "audio" button, so plugging headphones in must start
audio guidance by itself, and pulling them out must stop it at once, so nothing the screen shows
(their answers included) is read out on a loudspeaker (EN 301 549 5.1.3.1, 5.1.5; 508 402.2).

Linux reports the jack as an input node of its own ("HDA Intel PCH Headphone", for instance) that
sends ``struct input_event`` records of type EV_SW (0x05), code SW_HEADPHONE_INSERT (0x02) or
SW_LINEOUT_INSERT (0x06), value 1 inserted / 0 removed (linux/input-event-codes.h). The records are
decoded by :func:`peripherals.wedge.keymap.decode_records`, the one home of that format. The node
is opened without a grab: the sound server must keep seeing the jack to switch its output.

Where the hardware sends no jack events, a configured "audio key" toggles :attr:`AudioRoute.key_on`
instead, and speech goes to the output configured for it (a handset or a headphone socket wired
to the speaker output of a kiosk whose jack cannot be sensed).

Failure model: a node that cannot be opened or disappears is reported once through ``on_lost``
(with a reason for people, no traceback) and reopened with backoff; meanwhile the headphones count
as out, so a fault never makes the kiosk speak aloud. The file descriptor opener, the ioctl that
reads the state at start and the clock of the backoff are injected, so tests use a pipe.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peripherals.wedge.keymap import EVENT, decode_records

__all__ = [
    "EV_SW",
    "EVIOCGSW",
    "JACK_SWITCHES",
    "SW_HEADPHONE_INSERT",
    "SW_LINEOUT_INSERT",
    "config_problems",
    "AUDIO_KEYS",
    "AudioRoute",
    "HeadphoneJack",
    "jack_changes",
    "read_switches",
]

log = logging.getLogger(__name__)

EV_SW = 0x05
SW_HEADPHONE_INSERT = 0x02
SW_LINEOUT_INSERT = 0x06
JACK_SWITCHES = frozenset({SW_HEADPHONE_INSERT, SW_LINEOUT_INSERT})
_SW_BYTES = 4  # SW_MAX is 0x11: 18 bits
EVIOCGSW = (2 << 30) | (_SW_BYTES << 16) | (ord("E") << 8) | 0x1B  # _IOC(_IOC_READ, 'E', 0x1b, len)


AUDIO_KEYS = ("f12", "f13", "f14", "f15", "pause", "insert", "home", "end", "pageup", "pagedown")
"""Keys that may be the audio key (names as Kivy's keyboard gives them): none that types text or
that the keypad navigation and the speech keys (arrows, Enter, Escape, F1, F5-F11) already use."""
NO_JACK = "none"
"""The port of a ``headphones`` entry on a kiosk whose jack sends no switch events."""


def config_problems(port: str, options: dict[str, object]) -> list[tuple[str | None, str]]:
    """What is wrong with a kiosk.toml ``driver = "headphones"`` entry, as (option or None for
    the port, message); the config loader adds file, line and key."""
    problems: list[tuple[str | None, str]] = []
    if port != NO_JACK and not port.startswith("/dev/input/"):
        problems.append((None, f"expected the jack's input node (/dev/input/by-path/…-event, see "
                               f"deploy/README.md) or {NO_JACK!r}, got {port!r}"))  # fmt: skip
    for key in options:
        if key != "audio_key":
            problems.append((key, "unknown option; the headphones entry takes only audio_key"))
    key = options.get("audio_key")
    if key is None and port == NO_JACK:
        problems.append(("audio_key", f"required when port is {NO_JACK!r} (no jack events)"))
    elif key is not None and (not isinstance(key, str) or key.lower() not in AUDIO_KEYS):
        problems.append(("audio_key", f"expected one of {', '.join(AUDIO_KEYS)}, got {key!r}"))
    return problems


def jack_changes(records: Iterable[tuple[int, int, int]]) -> list[bool]:
    """Each jack switch event in ``records`` ((type, code, value)), as True inserted / False out."""
    return [value != 0 for kind, code, value in records if kind == EV_SW and code in JACK_SWITCHES]


def read_switches(fd: int) -> bool | None:
    """Is anything in the jack now (EVIOCGSW)? None when the node cannot say (not an evdev node)."""
    buf = bytearray(_SW_BYTES)
    try:
        fcntl.ioctl(fd, EVIOCGSW, buf)
    except OSError:
        return None
    bits = int.from_bytes(buf, "little")
    return any(bits >> code & 1 for code in JACK_SWITCHES)


def _open_node(path: str) -> int:
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY)


@dataclass
class AudioRoute:
    """Where speech may be heard, by the kiosk's configuration and what the citizen did.

    ``jack``: a jack reader is configured; ``audio_key``: an audio key with a private output is
    configured. With neither, the kiosk has no private output and the accessibility panel's audio
    switch speaks on the loudspeaker, as it always did.
    """

    jack: bool = False
    audio_key: bool = False
    plugged: bool = False
    key_on: bool = False

    @property
    def private_output(self) -> bool:
        """The kiosk has a private output at all (then it never speaks on the loudspeaker)."""
        return self.jack or self.audio_key

    @property
    def listening(self) -> bool:
        """Someone is listening privately now: headphones in, or the audio key mode on."""
        return self.plugged or (self.audio_key and self.key_on)

    @property
    def may_speak(self) -> bool:
        return self.listening if self.private_output else True

    def reset(self) -> None:
        """The audio key mode is one person's; the headphones' state is the hardware's."""
        self.key_on = False


class HeadphoneJack:
    """Reads a jack's input node on a thread; calls ``on_change(inserted)`` on every change."""

    def __init__(
        self,
        path: str,
        on_change: Callable[[bool], None],
        *,
        on_lost: Callable[[str], None] | None = None,
        opener: Callable[[str], int] = _open_node,
        probe: Callable[[int], bool | None] = read_switches,
        retry_s: float = 2.0,
    ) -> None:
        self.path = path
        self.plugged = False
        self._on_change = on_change
        self._on_lost = on_lost
        self._opener = opener
        self._probe = probe
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self.reason = ""
        """Why the jack is not being read (empty while it is)."""

    def start(self) -> HeadphoneJack:
        self._thread = threading.Thread(target=self._run, name="headphone-jack", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _set(self, inserted: bool) -> None:
        if inserted != self.plugged:
            self.plugged = inserted
            try:
                self._on_change(inserted)
            except Exception:  # noqa: BLE001 - a listener bug must not end the reader
                log.exception("headphone jack listener failed")

    def _lost(self, reason: str) -> None:
        if reason != self.reason:
            self.reason = reason
            log.warning("headphone jack %s: %s", self.path, reason)
            if self._on_lost is not None:
                self._on_lost(reason)
        self._set(False)  # unknown counts as out: never speak aloud by mistake

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fd = self._opener(self.path)
            except OSError as exc:
                self._lost(f"cannot open: {exc.strerror or type(exc).__name__}")
                if self._stop.wait(self._retry_s):
                    return
                continue
            if self.reason:
                log.info("headphone jack %s: reading again", self.path)
            self.reason = ""
            try:
                self._read(fd)
            finally:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _read(self, fd: int) -> None:
        now = self._probe(fd)
        if now is not None:
            self._set(now)
        pending = b""
        while not self._stop.is_set():
            try:
                readable, _, _ = select.select([fd, self._wake_r], [], [], 1.0)
                if fd not in readable:
                    continue
                data = os.read(fd, EVENT.size * 16)
                if not data:
                    raise OSError(errno.ENODEV, "the input node went away")
            except OSError as exc:
                if not self._stop.is_set():
                    self._lost(exc.strerror or type(exc).__name__)
                    self._stop.wait(self._retry_s)
                return
            pending += data
            whole = len(pending) // EVENT.size * EVENT.size
            records, pending = pending[:whole], pending[whole:]
            for inserted in jack_changes(decode_records(records)):
                self._set(inserted)
