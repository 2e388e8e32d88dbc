"""The on-screen keyboard for each person (issue 17, items 8 and 9): it has the letters Welsh names
need and speaks the session's language; the next person gets it as new (size, colours, language,
capitals); and the idle warning hides the person's answers behind it, not only after the wipe.
Everything by touch, aimed at where things are once the screen settled."""

from __future__ import annotations

from PIL import Image


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def first_step_by_touch(ui, lang: str) -> None:
    d = ui.d
    d.tap(d.shell.manager)
    d.tap(f"language:{lang}")
    d.tap("view:a-z")
    d.tap("service:change-of-address")
    d.tap("start-now")
    d.wait(0.3)
    assert d.screen == "step" and d.has("field:full_name")


def keys(ui) -> dict[str, tuple]:
    """What the keys look like now: words, text size, colours."""
    kb = ui.c.keyboard
    out = {}
    for kid in ("key:space", "key:done", "key:shift", "key:a", "key:ŵ"):
        key = next(k for row in kb.children for k in row.children if k.kid == kid)
        out[kid] = (key.text, key.font_size, tuple(key.background_color), tuple(key.color))
    return out


def test_welsh_names_typed_on_welsh_keys(ui, artifacts):
    d = ui.d
    first_step_by_touch(ui, "cy")
    d.tap_at(*centre(d.find("field:full_name")))
    d.wait(0.3)
    assert d.find("key:space").text == "Bwlch" and d.find("key:done").text == "Wedi gorffen"
    for letter in "éëïŵŷâêîôû":
        assert d.find(f"key:{letter}").text == letter
    d.screenshot(artifacts / "keyboard-cy.png")
    name = "Siôn Ŵyn Llŷr Zoë Ifé Gwenïen Dêl Mûn Îfor Âron"
    for char in name:
        keyboard = ui.c.keyboard
        if char.isupper():
            d.tap_at(*centre(d.find("key:shift")))
        d.tap_at(*centre(keyboard.find_key(char)))
    assert d.find("field:full_name").text == name


def test_the_next_person_gets_the_keyboard_as_new(ui):
    d, c = ui.d, ui.c
    fresh = keys(ui)
    # Person 1: biggest text, dark high contrast, Welsh, capitals on, keyboard open.
    d.tap(d.shell.manager)
    d.tap("accessibility")
    d.tap("text-size:3")
    d.tap("theme:high-contrast-dark")
    d.tap("close-accessibility")
    d.tap("language:cy")
    d.tap("view:a-z")
    d.tap("service:change-of-address")
    d.tap("start-now")
    d.tap_at(*centre(d.find("field:full_name")))
    d.wait(0.3)
    d.tap_at(*centre(d.find("key:shift")))
    theirs = keys(ui)
    assert theirs["key:space"][0] == "Bwlch" and theirs["key:a"][0] == "A"
    assert theirs["key:a"][1] > fresh["key:a"][1] and theirs["key:a"][2] != fresh["key:a"][2]
    # They walk away: warning, then the wipe.
    ui.clock.advance(ui.config.idle.warning_after_s)
    c.tick()
    ui.clock.advance(ui.config.idle.respond_s + 1)
    c.tick()
    d.wait(0.5)
    assert d.screen == "attract"
    assert keys(ui) == fresh and not c.keyboard.shift and c.keyboard.target is None
    # Person 2, in English by touch: the keys are the ones anyone would get.
    first_step_by_touch(ui, "en")
    d.tap_at(*centre(d.find("field:full_name")))
    d.wait(0.3)
    assert d.find("key:space").text == "Space" and keys(ui) == fresh


def test_the_idle_warning_hides_the_answers(ui, artifacts):
    d, c = ui.d, ui.c
    first_step_by_touch(ui, "en")
    field = d.find("field:full_name")
    d.type_into("field:full_name", "Ann Example")
    c.hide_keyboard()
    d.wait(0.3)
    x, y = centre(field)
    left = field.to_window(field.x + 4, field.center_y)
    ui.clock.advance(ui.config.idle.warning_after_s)
    c.tick()
    d.wait(0.5)
    assert d.has("more-time") and d.find("field:full_name").text == "Ann Example"
    shot = d.screenshot(artifacts / "idle-warning.png")
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        height = rgb.height
        background = tuple(round(v * 255) for v in c.ctx.colour("background")[:3])
        card = c.idle.scroll
        cx0, cy0 = card.to_window(card.x, card.y)
        outside = [
            p
            for p in (left, (x, y))
            if not (cx0 <= p[0] <= cx0 + card.width and cy0 <= p[1] <= cy0 + card.height)
        ]
        assert outside, "the field must lie outside the warning's card for this test"
        for px, py in outside:
            seen = rgb.getpixel((int(px), int(height - py)))
            assert max(abs(a - b) for a, b in zip(seen, background, strict=True)) <= 2, seen
