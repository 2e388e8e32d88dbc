"""Speech volume and rate for one person: EN 301 549 8.2.1 measured on real espeak-ng audio, the
settings' steps, repeat, and everything put back (and forgotten) for the next person."""

from __future__ import annotations

import math
import shutil
import wave
from pathlib import Path

import pytest

from kiosk.ui.accessibility import (
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    MAX_VOLUME,
    MIN_VOLUME,
    RATES,
    VOLUME_LEVELS,
    AccessibilitySettings,
)
from kiosk.ui.speech import Speaker

SENTENCE = {
    "en": "Your reference number is K 4 7 2. Keep your receipt: staff will call you.",
    "cy": "Eich cyfeirnod yw K 4 7 2. Cadwch eich derbynneb: bydd staff yn eich galw.",
}


class Runner:
    def __init__(self) -> None:
        self.argv: list[list[str]] = []

    def __call__(self, argv: list[str], data: bytes) -> Runner:
        self.argv.append(argv)
        return self

    def poll(self) -> int | None:
        return 0

    def terminate(self) -> None:  # never running: poll() says finished
        raise AssertionError("a finished utterance was terminated")


def _option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def rms_db(path: Path) -> float:
    """RMS level of a 16-bit mono WAV in dB full scale (plain arithmetic, no audioop)."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
    samples = memoryview(frames).cast("h")
    assert len(samples) > 0
    mean_square = sum(s * s for s in samples) / len(samples)
    return 20 * math.log10(math.sqrt(mean_square) / 32768)


@pytest.fixture(scope="module")
def espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (tools/system-deps.sh installs it): no real audio")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_volume_range_is_at_least_18_db_with_a_step_12_db_above_the_lowest(espeak, tmp_path, lang):
    """EN 301 549 8.2.1: the settings a citizen can reach, rendered by espeak-ng and measured."""
    settings = AccessibilitySettings()
    for _ in VOLUME_LEVELS:
        settings.quieter()
    lowest = settings.volume
    settings.louder()
    next_up = settings.volume
    for _ in VOLUME_LEVELS:
        settings.louder()
    highest = settings.volume
    assert (lowest, highest) == (MIN_VOLUME, MAX_VOLUME)

    levels = {}
    for volume in (lowest, next_up, highest):
        speaker = Speaker(volume=volume)
        levels[volume] = rms_db(
            speaker.render_wav(SENTENCE[lang], tmp_path / f"{volume}.wav", lang)
        )
    print(f"{lang}: RMS dBFS by volume {levels}")  # the figures, for the report (-s)
    assert levels[next_up] - levels[lowest] >= 12.0
    assert levels[highest] - levels[lowest] >= 18.0
    assert levels[lowest] < levels[next_up] < levels[highest]


def test_highest_volume_does_not_clip(espeak, tmp_path):
    path = Speaker(volume=MAX_VOLUME).render_wav(SENTENCE["en"], tmp_path / "max.wav")
    with wave.open(str(path), "rb") as wav:
        samples = memoryview(wav.readframes(wav.getnframes())).cast("h")
    assert max(abs(s) for s in samples) < 32767


def test_faster_speech_is_shorter(espeak, tmp_path):
    def seconds(rate: int) -> float:
        speaker = Speaker()
        speaker.rate = rate
        path = speaker.render_wav(SENTENCE["en"], tmp_path / f"r{rate}.wav")
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()

    assert seconds(RATES[-1]) < seconds(RATES[0]) * 0.8


def test_settings_step_volume_and_rate_within_their_ranges():
    s = AccessibilitySettings()
    assert (s.volume, s.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    heard = [s.volume]
    for _ in range(12):
        s.quieter()
        heard.append(s.volume)
    assert heard[:4] == [60, 50, 40, MIN_VOLUME] and heard[-1] == MIN_VOLUME
    s.louder()
    assert s.volume == 40  # one step from the quietest is the 12 dB step
    rates = []
    for _ in range(len(RATES) + 1):
        s.faster()
        rates.append(s.rate)
    assert rates[-1] == RATES[-1] and rates == sorted(rates)
    for _ in range(len(RATES) + 1):
        s.slower()
    assert s.rate == RATES[0]
    s.reset()
    assert (s.volume, s.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    with pytest.raises(ValueError, match="rate"):
        AccessibilitySettings(rate=999)


def test_rate_reaches_espeak_and_repeat_says_the_last_thing_again():
    runner = Runner()
    speaker = Speaker(runner=runner)
    assert not speaker.repeat()  # nothing said yet
    speaker.rate = RATES[-1]
    speaker.volume = 40
    speaker.say("Rhowch eich enw", "cy")
    assert speaker.repeat()
    assert [_option(a, "-s") for a in runner.argv] == [str(RATES[-1])] * 2
    assert [_option(a, "-a") for a in runner.argv] == ["40", "40"]
    assert [(u.text, u.lang) for u in speaker.spoken] == [("Rhowch eich enw", "cy")] * 2


def test_reset_forgets_what_was_said_and_restores_volume_and_rate():
    runner = Runner()
    speaker = Speaker(runner=runner)
    speaker.rate, speaker.volume = RATES[0], MIN_VOLUME
    speaker.say("My answer is 12 Heol y Bont")
    speaker.reset()
    assert list(speaker.spoken) == []
    assert not speaker.repeat()
    assert (speaker.volume, speaker.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)


def test_nothing_is_said_or_remembered_while_the_gate_is_shut():
    runner = Runner()
    speaker = Speaker(runner=runner)
    listening = False
    speaker.gate = lambda: listening
    assert not speaker.say("12 Heol y Bont")
    assert runner.argv == [] and list(speaker.spoken) == []
    listening = True
    assert speaker.say("Croeso", "cy")
    assert [u.text for u in speaker.spoken] == ["Croeso"]


def test_two_languages_go_in_one_utterance_each_in_its_own_voice():
    class Keep(Runner):
        data: list[bytes] = []

        def __call__(self, argv: list[str], data: bytes) -> Runner:
            self.data.append(data)
            return super().__call__(argv, data)

    runner = Keep()
    speaker = Speaker(runner=runner)
    speaker.say_parts([("Audio guidance <on>", "en"), ("Arweiniad sain", "cy")])
    (argv,) = runner.argv
    assert "-m" in argv and argv[-1] == "--stdin"
    assert runner.data[0].decode() == (
        '<speak><voice name="en-gb">Audio guidance &lt;on&gt;</voice>'
        '<voice name="cy">Arweiniad sain</voice></speak>'
    )
    assert [(u.text, u.lang) for u in speaker.spoken] == [
        ("Audio guidance <on>", "en"), ("Arweiniad sain", "cy")
    ]  # fmt: skip
