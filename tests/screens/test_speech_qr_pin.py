"""Spoken as shown, issue 19 item 4's leftovers, on the real app with headphones in (fixture:
``speech_support``), English and Welsh: the phone handoff's QR code (what it is, the address and
the code spelled; never the link's secret), outcome views that change without a new screen
("Printing…", the result), and PIN entry on the slip screen and the staff PIN pad (how many
digits, never which: not in what is spoken, not in the log)."""

from __future__ import annotations

import logging

import pytest
from speech_support import audio, plug, said

__all__ = ["audio"]  # the fixture, used by name

WELSH_QR = "Cod QR ar gyfer camera eich ffôn."


def to_outcome(a, lang: str) -> None:
    from journeys import step_answers

    d, s = a.d, a.session
    plug(a, True)
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    for values in step_answers(a.clock.now().date()):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_phone_qr_code_is_spoken_with_the_address_and_code_spelled(audio, lang):
    a, d = audio, audio.d
    to_outcome(a, lang)
    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("qr"), what="the phone's QR code")
    d.pump(2)
    text, spoken_lang = said(a)[-1]
    assert spoken_lang == lang
    assert text.startswith(d.find("title").text)
    qr = "QR code for your phone camera." if lang == "en" else WELSH_QR
    assert qr in text and text.index(qr) < text.index("B C D F, G H J K")
    address = {
        "en": "h t t p colon slash slash c e n t r a l dot t e s t slash c o n t i n u e",
        "cy": "h t t p colon slaes slaes c e n t r a l dot t e s t slaes c o n t i n u e",
    }
    go = {"en": f"Or go to {address['en']}, and enter B C D F, G H J K.",
          "cy": f"Neu ewch i {address['cy']}, a rhowch B C D F, G H J K."}  # fmt: skip
    assert go[lang] in text
    assert text.endswith(d.find("phone:cancel").spoken)
    assert "secret" not in text and "s e c r e t" not in text  # the link's secret, never
    # touched while help is held: the picture says what it is
    qr_widget = d.find("qr")
    a.c.guide.hear_at(*qr_widget.to_window(*qr_widget.center))
    assert said(a)[-1] == (qr, lang)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_printing_and_its_result_are_read_as_they_are_shown(audio, lang):
    a, d = audio, audio.d
    to_outcome(a, lang)
    before = len(said(a))
    d.tap("outcome:print")
    d.wait_until(lambda: d.has("outcome:continue"), what="the print result")
    d.pump(2)
    heard = [text for text, spoken_lang in said(a)[before:] if spoken_lang == lang]
    printing = "Printing…" if lang == "en" else a.c.ctx.t("Printing…")
    assert any(t.startswith(printing) for t in heard)
    assert heard[-1].startswith(d.find("title").text)
    assert d.find("reference").text in heard[-1] and d.find("outcome:continue").spoken in heard[-1]
    assert len([t for t in heard if t == heard[-1]]) == 1  # read once, not twice


def _slip_backend(a) -> list[str | None]:
    from types import SimpleNamespace

    prints: list[str | None] = []

    def print_slip(submission, result, pin=None):
        prints.append(pin)
        return SimpleNamespace(code="ABCD-EFGH", factor_kind="pin", registered=True, notice="",
                               message=None)  # fmt: skip

    a.c.backend.slip_factor = lambda submission: "pin"
    a.c.backend.print_slip = print_slip
    return prints


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_slip_pin_is_spoken_as_digits_entered_never_the_digits(audio, lang, caplog):
    from screens.resume_factor import attach

    caplog.set_level(logging.DEBUG)
    a, d = audio, audio.d
    to_outcome(a, lang)
    prints = _slip_backend(a)
    attach(a.c).open()
    d.pump(2)
    start = before = len(said(a))
    caplog.clear()
    d.type_into("slip-pin", "98")
    d.tap("slip:print")  # two digits: refused, and the refusal is heard
    heard = said(a)[before:]
    entered = {"en": "Digit entered, {n} of 4.", "cy": "Digid wedi’i roi, {n} o 4."}[lang]
    assert (entered.format(n=1), lang) in heard and (entered.format(n=2), lang) in heard
    assert heard[-1] == (d.find("slip-error").text, lang) and prints == []
    before = len(said(a))
    d.type_into("slip-pin", "987")
    heard = said(a)[before:]
    counted = [t for t, _l in heard if t.startswith(entered.split("{")[0])]
    assert counted == [entered.format(n=n) for n in (1, 2, 3)]
    a.c.guide.act("where")  # the screen read again: the field says how many, not which
    where = said(a)[-1][0]
    three = {"en": "3 digits entered", "cy": "3 digid wedi’u rhoi"}[lang]
    assert three in where
    spoken = " ".join(t for t, _l in said(a)[start:])
    assert not any(digit in spoken for digit in "9876"), "a PIN digit was spoken"
    assert not any("98" in r.getMessage() for r in caplog.records), "the PIN was logged"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_staff_pin_pad_speaks_digits_entered_and_errors_never_the_pin(audio, lang, caplog):
    from screens.pin import PinPad

    caplog.set_level(logging.DEBUG)
    a, d = audio, audio.d
    d.tap(d.shell.manager)
    d.tap(f"language:{lang}")
    plug(a, True)
    ctx = a.c.ctx
    tries = {"en": "That PIN is not right. Tries left: 2", "cy": None}
    pad = PinPad(ctx, lambda pin: pad.tell(ctx.t("That PIN is not right. Tries left: {left}",
                                                 left=2)), lambda: None)  # fmt: skip
    a.c.shell.show_overlay(pad)
    pad.open("staff")
    d.pump(2)
    before = len(said(a))
    caplog.clear()
    for digit in "9876":
        d.tap(f"pin-key:{digit}")
    d.tap("pin-delete")
    so_far = {"en": ("Digit entered, {n} so far.", "Digit deleted, {n} so far."),
              "cy": ("Digid wedi’i roi, {n} hyd yma.", "Digid wedi’i ddileu, {n} hyd yma.")}[lang]  # fmt: skip
    assert said(a)[before:] == [(so_far[0].format(n=n), lang) for n in (1, 2, 3, 4)] + [
        (so_far[1].format(n=3), lang)
    ]
    d.tap("pin-enter")
    d.pump(2)
    assert said(a)[-1] == (d.find("pin-message").text, lang)
    if tries[lang]:
        assert said(a)[-1][0] == tries[lang]
    spoken = " ".join(t for t, _l in said(a)[before:])
    assert not any(digit in spoken for digit in "9876"), "a PIN digit was spoken"
    assert not any("987" in r.getMessage() for r in caplog.records), "the PIN was logged"
    a.c.shell.hide_overlay(pad)
