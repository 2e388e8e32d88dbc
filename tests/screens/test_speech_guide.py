"""Audio guidance on the real app: headphones in start it from the top and out stop it (nothing on
the loudspeaker), touch to hear activates nothing, everything shown is spoken (both languages),
speech keys, and everything of one person reset at the end of the session (fixture and jack:
``speech_support``)."""

from __future__ import annotations

from typing import Any

from speech_support import audio, key, plug, said

__all__ = ["audio"]  # the fixture, used by name


def test_headphones_in_starts_speech_from_the_top_and_out_stops_it(audio):
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    assert d.screen == "language" and said(a) == []  # no listener: nothing, not even aloud
    plug(a, True)
    title = d.find("title").text
    text, lang = said(a)[-1]
    assert text.startswith(title + ".") and lang == "en"
    for w in d.visible():  # each language on offer, as shown
        if str(getattr(w, "kid", "")).startswith("language:"):
            assert w.text in text
    assert d.has("hold-to-hear")
    plug(a, False)
    assert a.runner.handles[-1].stopped  # cut off at once
    assert not d.has("hold-to-hear")
    count = len(a.speaker.spoken)
    d.tap("language:cy")
    a.c.ctx.say("anything")
    assert len(a.speaker.spoken) == count  # nothing spoken on the loudspeaker


def test_the_welcome_announces_audio_guidance_in_both_languages(audio):
    a, d = audio, audio.d
    shown = {lang: d.find(f"audio-sign:{lang}").text for lang in ("en", "cy")}
    assert shown == {
        "en": "Audio guidance: plug headphones into the socket below the screen",
        "cy": "Arweiniad sain: rhowch glustffonau yn y soced o dan y sgrin",
    }
    assert d.has("headphones-symbol")
    plug(a, True)
    spoken = said(a)[-2:]
    assert spoken == [
        ("Welcome. Audio guidance is on. Touch the screen to start", "en"),
        ("Croeso. Mae’r arweiniad sain ymlaen. Cyffyrddwch â’r sgrin i ddechrau", "cy"),
    ]
    assert b'<voice name="cy">Croeso.' in a.runner.data[-1]


def test_touch_to_hear_reads_a_control_and_activates_nothing(audio):
    from kivy.tests.common import UnitTestTouch

    a, d = audio, audio.d
    d.tap(d.shell.manager)
    plug(a, True)
    hold = d.find("hold-to-hear")
    finger = UnitTestTouch(*hold.to_window(*hold.center))
    finger.touch_down()  # held, not released
    d.pump(1)
    welsh = d.find("language:cy")
    d.tap(welsh)
    assert said(a)[-1] == (welsh.spoken, "en")
    assert "Cymraeg" in welsh.spoken
    assert d.screen == "language" and a.session.state.value == "language"  # swallowed
    finger.touch_up()
    d.pump(2)
    d.tap("language:cy")  # let go of help: a touch acts again
    assert a.session.language == "cy" and d.screen == "choose_service"


def test_every_step_label_field_and_error_is_spoken_in_welsh(audio):
    from journeys import to_first_step
    from kivy.uix.label import Label

    a, d = audio, audio.d
    to_first_step(a)
    d.tap("language-switch")
    plug(a, True)  # headphones in on step 1: the whole step, from the top, in Welsh
    text, lang = said(a)[-1]
    labels = [w.text for w in _walk(a.c.current)
              if isinstance(w, Label) and w.text.strip() and w.opacity > 0]  # fmt: skip
    assert len(labels) > 5 and lang == "cy"
    assert f"Cam 1 o 4. {d.find('title').text}." in text
    for shown in labels:
        assert " ".join(shown.split()) in text, shown
    assert text.count("maes testun") >= 3  # each field announced as a text field
    d.tap("continue")  # nothing typed: the error summary, as shown
    text, lang = said(a)[-1]
    errors = [
        w.text for w in _walk(a.c.current) if str(getattr(w, "kid", "")).startswith("error-link:")
    ]
    assert errors and text.startswith("Mae problem wedi codi.")
    for line in errors:
        assert " ".join(line.split()) in text


def _walk(root: Any) -> list[Any]:
    from screens.widgets import walk

    return walk(root)


def test_speech_keys_volume_rate_repeat_stop_and_reset_for_the_next_person(audio):
    from kiosk.ui.accessibility import DEFAULT_RATE, DEFAULT_VOLUME

    a, d = audio, audio.d
    d.tap(d.shell.manager)
    plug(a, True)
    key("f6")
    assert a.speaker.volume == 70 and said(a)[-1] == ("Volume: 70%", "en")
    key("f8")
    assert a.speaker.rate > DEFAULT_RATE and said(a)[-1][0] == "Speech speed 4 of 5"
    before = len(a.speaker.spoken)
    key("f9")
    assert said(a)[-1][0] == "Speech speed 4 of 5" and len(a.speaker.spoken) == before + 1
    key("f10")
    assert a.runner.handles[-1].stopped
    d.tap("accessibility")
    assert d.find("rate").text == "Speech speed 4 of 5"
    d.tap("slower")
    assert a.speaker.rate == DEFAULT_RATE
    a.session.wipe("idle")
    d.pump(2)
    assert (a.speaker.volume, a.speaker.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    assert all("Speech speed" not in t for t, _l in said(a)[:-2])  # the old queue is forgotten


def test_audio_key_turns_speech_on_where_no_jack_is_sensed(audio):
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    key("f12")
    d.pump(2)
    assert a.c.ctx.settings.audio and said(a)[-1][0].startswith(d.find("title").text)
    key("f12")
    d.pump(2)
    assert not a.c.ctx.settings.audio and a.runner.handles[-1].stopped
