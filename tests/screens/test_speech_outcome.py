"""Spoken as shown: the idle warning (title, countdown, its button) and the outcome (reference,
what happens next, the result of asking for staff), in English and Welsh, with headphones in
(fixture: ``speech_support``)."""

from __future__ import annotations

import pytest
from speech_support import audio, plug, said

__all__ = ["audio"]  # the fixture, used by name


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_idle_warning_is_read_whole(audio, lang):
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    d.tap(f"language:{lang}")
    plug(a, True)
    a.clock.advance(a.config.idle.warning_after_s + 1)
    a.c.tick()
    d.pump(2)
    assert d.has("idle-warning")
    text, spoken_lang = said(a)[-1]
    countdown = d.find("countdown").text
    more = d.find("more-time")
    assert spoken_lang == lang
    assert text.startswith(a.c.ctx.t("Do you need more time?"))
    assert countdown in text and more.spoken in text


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_outcome_reads_the_reference_and_what_happens_next(audio, lang):
    from journeys import step_answers

    a, d = audio, audio.d
    plug(a, True)
    s = a.session
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    for values in step_answers(a.clock.now().date()):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")
    text, spoken_lang = said(a)[-1]
    reference = d.find("reference").text
    assert spoken_lang == lang and reference in text
    assert " ".join(d.find("next-steps").text.split()) in text
    assert d.find("outcome:finish").spoken in text
    d.tap("outcome:staff")  # a result shown without a change of state is read out too
    d.wait_until(lambda: d.has("outcome:continue"), what="the staff result")
    text, spoken_lang = said(a)[-1]
    assert spoken_lang == lang and text.startswith(d.find("title").text)
    assert reference in text and d.find("outcome:continue").spoken in text
