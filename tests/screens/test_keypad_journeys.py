"""Every service of the catalogue by keypad alone, in English and in Welsh (issue 19 item 1).

On the real app under Xvfb, every action is a key event through the window — the path the
evdev keypad shares (screens.focus.FocusRing.act): from the attract screen, the language, the
A–Z list, the service's start page, every step (each text typed key by key on the on-screen
keyboard, reached with the arrows; each choice selected), check answers, submit, to the outcome
screen; then Finish and on through feedback and goodbye to the attract screen for the next one.
Answers are made from each field's type and limits in the catalogue (fictional, never real).
One app per language: the services run one after another on it. English runs every service;
Welsh a representative pair (WELSH_PAIR), to keep the suite's time down.
"""

from __future__ import annotations

from datetime import date

import pytest
from keypad_nav import choose, key, type_text

TEXTS = {
    "postcode": "cf10 1aa",
    "ni_number": "ab123456c",
    "phone": "07700900982",
    "email": "ann@example.com",
}


def _date(field, today: date) -> date:
    from datetime import timedelta

    from catalogue.dates import resolve_limit

    low = resolve_limit(field.min_date, today) if field.min_date else today - timedelta(days=3650)
    high = resolve_limit(field.max_date, today) if field.max_date else today
    return low + (high - low) / 2


def _text(field) -> str:
    kind = field.type.value
    if kind in TEXTS:
        return TEXTS[kind]
    if kind == "number":
        return str(int(field.min if field.min is not None else 1))
    if field.pattern == "[0-9]{8,10}":
        return "12345678"
    return "water under the sink"


def _answer_step(ui, answered: set[str]) -> None:
    screen = ui.c.screens["step"]
    for fid, widget in list(screen.fields.items()):
        if fid in answered:
            continue
        answered.add(fid)
        field = widget.field
        kind = field.type.value
        if kind == "choice":
            choose(ui, f"option:{fid}:{field.options[0].value}")
        elif kind == "yes_no":
            choose(ui, f"option:{fid}:no")
        elif kind == "date":
            day = _date(field, ui.today)
            for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
                type_text(ui, f"field:{fid}:{part}", str(value))
        else:
            type_text(ui, f"field:{fid}", _text(field))
        _answer_step(ui, answered)  # a choice may have shown another field
        return


def _run_service(ui, service_id: str, lang: str) -> None:
    d, s = ui.d, ui.session
    assert d.screen == "attract"
    key(ui, "select", 2)
    choose(ui, f"language:{lang}")
    assert s.language == lang and ui.c.ctx.lang == lang
    choose(ui, "view:a-z")
    choose(ui, f"service:{service_id}")
    if d.has("start-now"):
        choose(ui, "start-now")
    for _ in range(12):
        if s.state.value != "step":
            break
        step = s.current_step.id
        _answer_step(ui, set())
        choose(ui, "continue", frames=3)
        errors = [w.text for w in d.visible() if str(getattr(w, "kid", "")).startswith("error:")]
        assert s.current_step is None or s.current_step.id != step or not errors, errors
    assert d.screen == "check_answers", (service_id, d.screen)
    choose(ui, "submit")
    d.wait_until(lambda: d.screen == "outcome", what=f"the outcome of {service_id}")
    assert d.has("reference")
    choose(ui, "outcome:finish")
    for _ in range(4):
        if d.screen == "attract":
            break
        for kid in ("feedback:skip", "finish"):
            if d.has(kid):
                choose(ui, kid)
                break
        d.pump(2)
    assert d.screen == "attract", (service_id, d.screen)


WELSH_PAIR = ("apply-blue-badge", "change-of-address")
"""Welsh runs these two (choices that open further fields, dates, typed names and numbers): the
whole catalogue by keypad takes about 3 minutes a language on the shared test machine."""


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_service_by_keypad_alone(ui, catalogue, lang):
    services = sorted(sv.id for sv in catalogue.services.values() if "kiosk" in sv.channels)
    assert len(services) >= 8 and set(WELSH_PAIR) <= set(services)
    if lang == "cy":
        services = list(WELSH_PAIR)
    for service_id in services:
        _run_service(ui, service_id, lang)
    assert len(ui.backend.submissions) == len(services)
