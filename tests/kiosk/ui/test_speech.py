"""Speech: one utterance at a time, text on stdin, volume per person, and real espeak-ng audio."""

from __future__ import annotations

import shutil
import wave

import pytest

from kiosk.ui.accessibility import DEFAULT_VOLUME
from kiosk.ui.i18n import load_translator
from kiosk.ui.speech import (
    CONTROL_ROLES,
    MAX_CHARS,
    Speaker,
    amplitude_for,
    describe_control,
    describe_screen,
)


class FakeUtterance:
    def __init__(self, argv: list[str], data: bytes) -> None:
        self.argv = argv
        self.data = data
        self.finished = False
        self.terminated = False

    def poll(self) -> int | None:
        return 0 if self.finished or self.terminated else None

    def terminate(self) -> None:
        self.terminated = True


class FakeRunner:
    def __init__(self) -> None:
        self.started: list[FakeUtterance] = []

    def __call__(self, argv: list[str], data: bytes) -> FakeUtterance:
        utterance = FakeUtterance(argv, data)
        self.started.append(utterance)
        return utterance


def _option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_say_passes_text_on_stdin_with_voice_and_amplitude():
    runner = FakeRunner()
    speaker = Speaker(runner=runner, volume=50)
    assert speaker.available and speaker.reason == ""
    assert speaker.say("Mae eich   manylion\nwedi cael eu clirio", "cy")
    (u,) = runner.started
    assert u.data == b"Mae eich manylion wedi cael eu clirio"
    assert _option(u.argv, "-v") == "cy"
    assert _option(u.argv, "-a") == "50"
    assert "--stdin" in u.argv
    assert not any("manylion" in arg for arg in u.argv)  # never on the command line
    assert speaker.speaking


def test_a_new_utterance_stops_the_previous_one():
    runner = FakeRunner()
    speaker = Speaker(runner=runner)
    speaker.say("first")
    speaker.say("second", "en")
    first, second = runner.started
    assert first.terminated and not second.terminated
    assert _option(second.argv, "-v") == "en-gb"
    speaker.stop()
    assert second.terminated and not speaker.speaking


def test_finished_utterance_is_not_terminated_again():
    runner = FakeRunner()
    speaker = Speaker(runner=runner)
    speaker.say("done")
    runner.started[0].finished = True
    assert not speaker.speaking
    speaker.say("next")
    assert not runner.started[0].terminated


def test_unknown_language_uses_the_default_voice_and_blank_text_says_nothing():
    runner = FakeRunner()
    speaker = Speaker(runner=runner)
    speaker.say("Bonjour", "fr")
    assert _option(runner.started[0].argv, "-v") == "en-gb"
    assert not speaker.say("   ")
    assert runner.started[0].terminated  # blank text still silences the old one
    assert len(runner.started) == 1


def test_long_text_is_cut():
    runner = FakeRunner()
    Speaker(runner=runner).say("a" * (MAX_CHARS + 500))
    assert len(runner.started[0].data) == MAX_CHARS


def test_volume_applies_to_the_next_utterance_and_resets_for_the_next_person():
    runner = FakeRunner()
    speaker = Speaker(runner=runner)
    speaker.volume = 100
    speaker.say("loud")
    assert _option(runner.started[0].argv, "-a") == "100"
    speaker.volume = 500
    assert speaker.volume == 100
    speaker.reset()
    assert speaker.volume == DEFAULT_VOLUME
    assert runner.started[0].terminated
    speaker.say("again")
    assert _option(runner.started[1].argv, "-a") == str(amplitude_for(DEFAULT_VOLUME))


def test_amplitude_mapping():
    assert [amplitude_for(v) for v in (-5, 0, 50, 60, 100, 150)] == [0, 0, 50, 60, 100, 100]


def test_runner_failure_is_logged_without_the_text(caplog):
    def broken(argv: list[str], data: bytes):
        raise FileNotFoundError(2, "No such file or directory")

    speaker = Speaker(runner=broken)
    assert not speaker.say("my secret answer")
    assert "my secret answer" not in caplog.text
    assert "No such file or directory" in caplog.text


def test_missing_program_makes_the_speaker_unavailable_with_a_reason():
    speaker = Speaker(executable="no-such-espeak-binary")
    assert not speaker.available
    assert "no-such-espeak-binary is not installed" in speaker.reason
    assert not speaker.say("hello")
    with pytest.raises(RuntimeError, match="not installed"):
        speaker.render_wav("hello", __import__("pathlib").Path("/nonexistent.wav"))


@pytest.mark.parametrize(("lang", "text"), [("en", "Do you need more time?"), ("cy", "Croeso")])
def test_real_espeak_ng_writes_a_wav(tmp_path, lang, text):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (Debian package espeak-ng): cannot test real speech")
    path = Speaker().render_wav(text, tmp_path / "out.wav", lang)
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getframerate() > 8000
        seconds = wav.getnframes() / wav.getframerate()
    assert 0.3 < seconds < 10


def test_louder_volume_makes_louder_audio(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (Debian package espeak-ng): cannot test real speech")

    def peak(volume: int) -> int:
        speaker = Speaker(volume=volume)
        path = speaker.render_wav("Thank you", tmp_path / f"v{volume}.wav")
        with wave.open(str(path), "rb") as wav:
            frames = wav.readframes(wav.getnframes())
        samples = memoryview(frames).cast("h")
        return max(abs(s) for s in samples)

    assert peak(100) > peak(20) * 2


def test_describe_screen_reads_title_errors_then_focus():
    text = describe_screen(
        "Check your answers",
        focused="Submit",
        errors=["Enter your date of birth", " "],
    )
    assert text == ("Check your answers. There is a problem. Enter your date of birth. Submit.")


def test_describe_screen_translates_its_own_words_and_keeps_punctuation():
    welsh = {"There is a problem": "Mae problem wedi codi"}
    text = describe_screen(
        "Oes angen mwy o amser arnoch chi?", None, ["Rhowch eich PIN"], welsh.get
    )
    assert text == "Oes angen mwy o amser arnoch chi? Mae problem wedi codi. Rhowch eich PIN."
    assert describe_screen("Diolch") == "Diolch."


def test_describe_control_reads_label_role_then_state():
    assert describe_control("Next") == "Next, button."
    assert describe_control("Large", "option", selected=True) == "Large, option, selected."
    assert describe_control("Audio guidance", "checkbox", selected=False) == (
        "Audio guidance, checkbox, not selected."
    )
    assert describe_control("Postcode", "text field", value="CF10 1AA") == (
        "Postcode, text field, CF10 1AA."
    )
    assert describe_control("Print", disabled=True) == "Print, button, unavailable."
    with pytest.raises(ValueError):
        describe_control("x", "slider")


def test_describe_control_in_welsh_uses_the_catalog():
    t = load_translator()
    _ = t.bind("cy")
    text = describe_control(_("Large"), "option", selected=True, translate=_)
    assert text == "Mawr, dewis, wedi’i ddewis."
    for role in CONTROL_ROLES:
        assert t.gettext("cy", role) != role
