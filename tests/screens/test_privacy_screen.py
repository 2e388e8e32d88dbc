"""The privacy screen in audio mode: black over everything (pixels), touches do nothing but keep
the session alive, keys and speech go on, and it goes with the headphones and with the session."""

from __future__ import annotations

from speech_support import audio, key, plug, said

__all__ = ["audio"]  # the fixture, used by name


def _pixels(path):  # every pixel of a PNG screenshot as (r, g, b)
    from kivy.core.image import Image as CoreImage

    image = CoreImage(str(path), keep_data=True)
    width, height = image.size
    return [
        tuple(image.read_pixel(x, y)[:3]) for x in range(0, width, 37) for y in range(0, height, 29)
    ]


def test_blank_screen_hides_everything_but_keys_and_speech_go_on(audio, artifacts):
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    d.tap("language:en")
    key("f11")
    assert not d.has("privacy-screen")  # nobody listening: the screen cannot be hidden
    plug(a, True)
    d.tap("accessibility")
    d.tap("privacy:on")
    assert d.has("privacy-screen") and not d.has("accessibility-panel")
    assert said(a)[-1][0] == "The screen is hidden. Speech and the keys still work."
    shot = d.screenshot(artifacts / "privacy-screen.png")
    assert set(_pixels(shot)) == {(0.0, 0.0, 0.0)}

    service = d.find("view:a-z")  # under the black layer
    shown = service.state if hasattr(service, "state") else None
    a.clock.advance(50)  # the warning is due 60 s after the last touch
    d.tap_at(*service.to_window(*service.center))
    assert d.screen == "choose_service" and d.find("view:a-z").state == shown  # nothing pressed
    a.clock.advance(20)
    a.c.tick()
    d.pump(2)
    assert a.session.seconds_left() is None and not d.has("idle-warning")  # it was activity
    key("f6")  # keys pass through the black screen
    assert a.speaker.volume == 70 and said(a)[-1] == ("Volume: 70%", "en")

    key("f11")
    assert not d.has("privacy-screen")
    assert said(a)[-1][0] == "The screen is shown again."


def test_privacy_screen_goes_with_the_headphones_and_with_the_session(audio):
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    plug(a, True)
    key("f11")
    assert d.has("privacy-screen")
    plug(a, False)
    assert not d.has("privacy-screen")  # no listener: the screen is the only way left
    plug(a, True)
    key("f11")
    assert d.has("privacy-screen")
    a.session.wipe("idle")
    d.pump(2)
    assert not d.has("privacy-screen")
    assert a.c.ctx.settings.audio  # the headphones are still in: the next person hears it
