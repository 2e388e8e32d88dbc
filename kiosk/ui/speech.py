"""Speech output for the touchscreen (Revised 508 402.2) through the ``espeak-ng`` program.

One utterance at a time: :meth:`Speaker.say` stops whatever is being read and starts the new
text, and returns at once (a process spawn, no waiting for the audio). The text goes to espeak-ng
on stdin, never on the command line, because screens read back what the citizen typed and a
command line is visible to every process on the machine.

The volume and rate belong to one citizen: :meth:`Speaker.reset` (called on every session wipe)
stops speech, puts volume and rate back to their defaults (402.3.1) and forgets what was said.

What was said is kept, newest last, in :attr:`Speaker.spoken` (a bounded queue of
:class:`Utterance`): :meth:`Speaker.repeat` reads the last one again, and tests read the queue to
check that what is heard matches what is shown. It holds the citizen's answers read back, so it
lives in memory only and :meth:`Speaker.reset` empties it.

Volume is the espeak-ng amplitude itself (``-a``, percent 10–100, see
:data:`~kiosk.ui.accessibility.VOLUME_LEVELS` for the dB range the tests measure).

Private listening: :attr:`Speaker.gate` (set by the screens from
:class:`kiosk.ui.headphones.AudioRoute`) is asked before every utterance; while it says no (the
headphones are out), nothing is spoken and nothing is recorded.

Without espeak-ng the kiosk still works: :attr:`Speaker.available` is False, :attr:`Speaker.reason`
says why (for the diagnostics screen) and ``say`` does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape

from kiosk.ui.accessibility import DEFAULT_RATE, DEFAULT_VOLUME, MAX_VOLUME, RATES

__all__ = [
    "CONTROL_ROLES",
    "MAX_CHARS",
    "VOICES",
    "Runner",
    "Speaker",
    "SpeechHandle",
    "Utterance",
    "amplitude_for",
    "describe_control",
    "describe_screen",
    "espeak_argv",
]

log = logging.getLogger(__name__)

VOICES: dict[str, str] = {"en": "en-gb", "cy": "cy"}
"""espeak-ng voice for each kiosk language."""
MAX_CHARS = 4000
"""Longest text sent in one go; longer text is cut (it also keeps the stdin write non-blocking)."""
WORDS_PER_MINUTE = DEFAULT_RATE
"""A little slower than espeak-ng's 175 default: people listening at a kiosk are not power users."""
HISTORY = 50
"""Utterances kept in :attr:`Speaker.spoken`."""


@dataclass(frozen=True)
class Utterance:
    """One thing said: the text (spaces collapsed, as espeak-ng got it) and how."""

    text: str
    lang: str
    volume: int
    rate: int


class SpeechHandle(Protocol):
    """What a runner returns: a running utterance (``subprocess.Popen`` satisfies it)."""

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...


Runner = Callable[[list[str], bytes], SpeechHandle]
"""Starts ``argv`` with ``input`` on its stdin and returns without waiting for it to finish."""


def _popen_runner(argv: list[str], data: bytes) -> SpeechHandle:
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    assert proc.stdin is not None
    try:  # ≤ MAX_CHARS UTF-8 bytes fit the 64 KiB pipe buffer: this write never waits
        proc.stdin.write(data)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    return proc


def amplitude_for(volume: int) -> int:
    """espeak-ng ``-a`` for a volume of 0–100 %: the same number (100 is its normal level and the
    loudest it goes without clipping)."""
    return max(0, min(MAX_VOLUME, int(volume)))


def espeak_argv(
    executable: str, voice: str, volume: int, wav: Path | None = None, rate: int = WORDS_PER_MINUTE
) -> list[str]:
    """The command line (without the text, which goes on stdin)."""
    argv = [executable, "-v", voice, "-a", str(amplitude_for(volume)), "-s", str(rate)]
    argv += ["-b", "1"]  # UTF-8 input: ŵ, ŷ, â
    if wav is not None:
        argv += ["-w", str(wav)]
    return [*argv, "--stdin"]


class Speaker:
    """Reads text aloud, one utterance at a time; safe to call from any thread."""

    def __init__(
        self,
        *,
        executable: str = "espeak-ng",
        voices: dict[str, str] | None = None,
        default_language: str = "en",
        volume: int = DEFAULT_VOLUME,
        runner: Runner | None = None,
    ) -> None:
        self._voices = dict(VOICES if voices is None else voices)
        self._default_language = default_language
        self._lock = threading.Lock()
        self._current: SpeechHandle | None = None
        self._volume = DEFAULT_VOLUME
        self.volume = volume
        self._rate = DEFAULT_RATE
        self.spoken: deque[Utterance] = deque(maxlen=HISTORY)
        """What was said, newest last (emptied by :meth:`reset`)."""
        self.gate: Callable[[], bool] | None = None
        """When set, speech only while it returns True (private listening)."""
        found = shutil.which(executable) if runner is None else executable
        self._executable = found or executable
        self._runner: Runner = runner or _popen_runner
        self.reason = "" if found else f"{executable} is not installed (Debian package espeak-ng)"

    @property
    def available(self) -> bool:
        return not self.reason

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        """Applies from the next utterance on (espeak-ng cannot change a running one)."""
        self._volume = max(0, min(MAX_VOLUME, int(value)))

    @property
    def rate(self) -> int:
        return self._rate

    @rate.setter
    def rate(self, value: int) -> None:
        """Words per minute, kept within :data:`~kiosk.ui.accessibility.RATES`' range."""
        self._rate = max(RATES[0], min(RATES[-1], int(value)))

    def voice_for(self, lang: str) -> str:
        return self._voices.get(lang) or self._voices.get(self._default_language) or "en"

    @property
    def speaking(self) -> bool:
        with self._lock:
            return self._current is not None and self._current.poll() is None

    def say(self, text: str, lang: str = "en") -> bool:
        """Stop any speech, then start reading ``text``; True when speech was started."""
        return self.say_parts([(text, lang)])

    def say_parts(self, parts: Sequence[tuple[str, str]]) -> bool:
        """Stop any speech, then read each (text, language) in turn, each in its own voice (one
        espeak-ng run; several languages go as SSML ``<voice>`` elements, the text escaped)."""
        parts = [(t, lang) for text, lang in parts if (t := " ".join(text.split()))]
        with self._lock:
            self._stop_locked()
            if not parts or not self.available or (self.gate is not None and not self.gate()):
                return False
            self.spoken.extend(Utterance(t, lang, self._volume, self._rate) for t, lang in parts)
            argv = espeak_argv(self._executable, self.voice_for(parts[0][1]), self._volume,
                               rate=self._rate)  # fmt: skip
            if len({lang for _t, lang in parts}) == 1:
                data = " ".join(t for t, _lang in parts)[:MAX_CHARS]
            else:
                argv.insert(-1, "-m")  # SSML on stdin
                room = MAX_CHARS // len(parts) // 2  # escaping at most doubles most text
                data = "<speak>" + "".join(
                    f'<voice name="{self.voice_for(lang)}">{escape(t[:room])}</voice>'
                    for t, lang in parts
                ) + "</speak>"  # fmt: skip
            try:
                self._current = self._runner(argv, data.encode("utf-8"))
            except OSError as exc:  # the text itself is never logged: it may be PII
                log.warning("speech output failed: %s", exc.strerror or type(exc).__name__)
                return False
            return True

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        current, self._current = self._current, None
        if current is not None and current.poll() is None:
            with contextlib.suppress(OSError):  # already gone
                current.terminate()

    def repeat(self) -> bool:
        """Read the last utterance again (at today's volume and rate); False when nothing was said."""
        with self._lock:
            last = self.spoken[-1] if self.spoken else None
        return last is not None and self.say(last.text, last.lang)

    def reset(self) -> None:
        """For the next person: silence, the default volume and rate, and nothing remembered."""
        self.stop()
        self.volume = DEFAULT_VOLUME
        self._rate = DEFAULT_RATE
        with self._lock:
            self.spoken.clear()

    def render_wav(self, text: str, path: Path, lang: str = "en", timeout: float = 30.0) -> Path:
        """Write ``text`` as a WAV file and wait for it (diagnostics' audio test, tests)."""
        if not self.available:
            raise RuntimeError(self.reason)
        argv = espeak_argv(self._executable, self.voice_for(lang), self._volume, wav=path,
                           rate=self._rate)  # fmt: skip
        subprocess.run(
            argv,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=True,
        )
        return path


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".?!:…":
        text += "."
    return text


def describe_screen(
    title: str,
    focused: str | None = None,
    errors: Sequence[str] = (),
    translate: Callable[[str], str] = lambda s: s,
) -> str:
    """What is read when a screen appears: its title, then any errors, then the focused control.

    ``translate`` is the screen's ``_`` (for the words "There is a problem"); the title, errors
    and focused label are passed already translated.
    """
    parts = [_sentence(title)] if title.strip() else []
    problems = [_sentence(e) for e in errors if e.strip()]
    if problems:
        parts.append(_sentence(translate("There is a problem")))
        parts.extend(problems)
    if focused and focused.strip():
        parts.append(_sentence(focused))
    return " ".join(parts)


CONTROL_ROLES = ("button", "checkbox", "option", "text field", "link")
"""Roles a control can announce; each is a msgid in the catalogs."""


def describe_control(
    label: str,
    role: str = "button",
    *,
    selected: bool | None = None,
    disabled: bool = False,
    value: str | None = None,
    translate: Callable[[str], str] = lambda s: s,
) -> str:
    """What is read when a control gets focus: "Large text, option, selected."

    Label, then role, then state, the order screen readers use, so a listener can stop after the
    label once they know the layout.
    """
    if role not in CONTROL_ROLES:
        raise ValueError(f"role must be one of {CONTROL_ROLES}, got {role!r}")
    parts = [" ".join(label.split()), translate(role)]
    if value:
        parts.append(" ".join(value.split()))
    if selected is not None:
        parts.append(translate("selected" if selected else "not selected"))
    if disabled:
        parts.append(translate("unavailable"))
    return _sentence(", ".join(p for p in parts if p))
