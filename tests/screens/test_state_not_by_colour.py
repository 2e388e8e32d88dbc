"""What is chosen, which tab is open and what cannot be used never show by colour alone
(issue 17, trust breaker 3; WCAG 1.4.1): each state has a mark, a shape or words of its own,
checked on the real widgets and on the pixels drawn."""

from __future__ import annotations

import pytest
from test_scroll_place import SERVICE


def to_benefit_step(ui) -> None:
    d = ui.d
    d.tap(d.shell.manager)
    d.tap("language:en")
    d.tap("view:a-z")
    d.tap(f"service:{SERVICE}")
    d.tap("start-now")
    assert d.find("title").text == "Which benefit"


def options(ui, field: str) -> dict[str, object]:
    return {w.kid.split(":")[2]: w for w in ui.d.visible()
            if getattr(w, "kid", "").startswith(f"option:{field}:")}  # fmt: skip


def pixels(ui, path):
    """The window as drawn (PIL image) and a function from window (x, y) to its RGB there."""
    from PIL import Image

    image = Image.open(ui.d.screenshot(path)).convert("RGB")
    height = image.height

    def at(x: float, y: float) -> tuple[int, ...]:
        return image.getpixel((round(x), height - 1 - round(y)))

    return at


def near(rgb: tuple[int, ...], colour: tuple[float, ...]) -> bool:
    return all(abs(a - round(b * 255)) <= 40 for a, b in zip(rgb, colour[:3], strict=False))


def test_a_chosen_option_has_a_radio_mark_and_a_thick_outline_unlike_continue(ui, artifacts):
    d, ctx = ui.d, ui.c.ctx
    to_benefit_step(ui)
    d.tap("option:benefit:pension_credit")
    chosen = options(ui, "benefit")
    assert [k for k, w in chosen.items() if w.chosen] == ["pension_credit"]
    for key, toggle in chosen.items():
        picked = key == "pension_credit"
        assert toggle.mark_filled is picked, key
        assert toggle.border_width == (toggle.thick if picked else toggle.thin), key
        assert toggle.spoken.endswith(
            ", option, selected." if picked else ", option, not selected."
        )
    assert chosen["pension_credit"].thick >= 3 * chosen["pension_credit"].thin
    # Not the primary button's look: no primary fill, the same words colour as the others.
    continue_ = d.find("continue")
    picked = chosen["pension_credit"]
    assert tuple(picked.background_color) != tuple(continue_.background_color)
    assert tuple(picked.background_color) == tuple(chosen["universal_credit"].background_color)
    assert tuple(picked.color) == tuple(chosen["universal_credit"].color)
    # ... and drawn: the dot is ink in the chosen ring and background in the others; the chosen
    # outline is thick where the other is a hairline.
    at = pixels(ui, artifacts / "chosen-option.png")
    text, fill = ctx.colour("text"), ctx.colour("surface")
    for key in ("pension_credit", "universal_credit"):
        toggle = chosen[key]
        cx, cy = toggle.to_window(*toggle.mark_centre())
        assert near(at(cx, cy), text if key == "pension_credit" else fill), key
        x, y = toggle.to_window(toggle.x, toggle.center_y)
        inside = at(x + toggle.thick - 1, y)  # just inside the outline's thick width
        assert near(inside, text if key == "pension_credit" else fill), key


def test_a_yes_no_question_and_the_accessibility_panel_mark_the_choice_too(ui):
    d = ui.d
    to_benefit_step(ui)
    d.tap("accessibility")
    for kid in ("text-size:0", "theme:standard", "reach:off", "audio:off"):
        toggle = d.find(kid)
        assert toggle.mark == "top" and toggle.chosen and toggle.mark_filled, kid
        assert toggle.border_width == toggle.thick
    for kid in ("text-size:1", "theme:high-contrast-dark", "reach:on", "audio:on"):
        assert not d.find(kid).mark_filled and d.find(kid).border_width == d.find(kid).thin


def test_tabs_look_like_tabs_and_the_open_one_is_marked(ui, artifacts):
    d = ui.d
    d.tap(d.shell.manager)
    d.tap("language:en")
    events, a_z = d.find("view:events"), d.find("view:a-z")
    assert events.mark == a_z.mark == "tab"
    assert events.chosen and events.border_width == events.thick and not events.underline
    assert not a_z.chosen and a_z.border_width == a_z.thin and a_z.underline
    assert not events.mark_filled and not a_z.mark_filled  # tabs, not radio buttons
    # The open tab is outlined on three sides and open at the bottom, the other closed by a line.
    xs_ys = events._border.points
    assert xs_ys[1] == events.y and xs_ys[-1] == events.y and len(xs_ys) == 8
    assert len(a_z._border.points) == 4
    d.screenshot(artifacts / "tabs.png")
    d.tap("view:a-z")
    events, a_z = d.find("view:events"), d.find("view:a-z")
    assert a_z.chosen and not a_z.underline and a_z.border_width == a_z.thick
    assert events.underline and events.border_width == events.thin


def test_a_disabled_back_does_not_look_like_a_button_and_says_so(ui, artifacts):
    d, ctx = ui.d, ui.c.ctx
    back = d.find("back")
    assert back.disabled and not back.outlined
    assert back.background_color[3] == 0  # no fill: words on the bar, not a button
    assert tuple(back.disabled_color) == tuple(ctx.colour("muted_text"))
    assert back.spoken == "Back, button, unavailable."
    at = pixels(ui, artifacts / "back-disabled.png")
    bar = ctx.colour("surface")
    assert near(at(*back.to_window(back.x + 3, back.center_y)), bar)  # no outline drawn
    d.tap(d.shell.manager)
    back = d.find("back")
    assert not back.disabled and back.outlined and back.spoken == "Back, button."
    at = pixels(ui, artifacts / "back-enabled.png")
    edge = [at(*back.to_window(back.x + dx, back.center_y)) for dx in (-1, 0, 1)]
    assert any(near(rgb, ctx.colour("text")) for rgb in edge), edge  # its outline
    d.tap("language:cy")
    d.tap("view:a-z")
    assert d.find("view:a-z").spoken.endswith("wedi’i ddewis.")


@pytest.mark.parametrize("theme", ["standard", "high-contrast-dark", "high-contrast-light"])
def test_chosen_and_disabled_states_keep_their_contrast(ui, theme):
    from kiosk.ui.accessibility import contrast_ratio

    d, ctx = ui.d, ui.c.ctx
    ui.c.change_setting("set_theme", theme)
    need = 7.0 if ctx.theme.high_contrast else 4.5
    back = d.find("back")
    assert contrast_ratio(back.disabled_color, ctx.colour("surface")) >= need
    to_benefit_step(ui)
    d.tap("option:benefit:carers_allowance")
    d.tap("option:period:current")
    for toggle in [*options(ui, "benefit").values(), *options(ui, "period").values()]:
        assert contrast_ratio(toggle.color, toggle.background_color) >= need, toggle.kid
        assert contrast_ratio(toggle._mark_ink.rgba, toggle.background_color) >= need
