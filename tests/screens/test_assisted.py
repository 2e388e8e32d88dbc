"""Assisted sessions on the real window: a staff badge swiped on the real magstripe emulator (over a
pseudo-terminal), the PIN typed on the keypad, the banner on every screen, every answer the staff
member's. Also: wrong PINs, the lockout, badges refused once a citizen has answered."""

from __future__ import annotations

# The shared fixtures are imported by name, so test arguments of the same name are not redefinitions.
# ruff: noqa: F811
from test_device_flows_support import (  # noqa: F401  (fixtures)
    STAFF_ID,
    STAFF_PIN,
    STAFF_TRACK,
    TECH_TRACK,
    answer_first_step,
    badge_in,
    enter_pin,
    flows,
    hub,
    pins,
    swipe,
    to_outcome,
)


def _banner_texts(d):
    return [w.text for w in d.visible() if getattr(w, "kid", "") == "assisted-banner"]


def test_staff_badge_pin_starts_an_assisted_session_with_a_banner_and_staff_answers(
    ui, hub, flows, artifacts
):
    d = ui.d
    assert d.screen == "attract"
    swipe(ui, hub, STAFF_TRACK)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad")
    assert d.find("pin-title").text == "Staff sign-in"
    d.screenshot(artifacts / "01-pin-pad.png")
    for digit in STAFF_PIN:
        d.tap(f"pin-key:{digit}")
    shown = " ".join(d.texts(everywhere=False))
    assert STAFF_PIN not in shown and d.find("pin-display").text == " ".join("\u2022" * 4)
    d.tap("pin-enter")
    d.wait_until(lambda: d.screen == "language", 10, "the language screen")
    assert not d.has("pin-pad")
    assert ui.session.kind.value == "assisted" and ui.session.staff_id == STAFF_ID
    assert _banner_texts(d) == [f"Assisted by staff member {STAFF_ID}"]
    d.screenshot(artifacts / "02-assisted-language.png")

    answer_first_step(d, ui.today)
    d.wait_until(lambda: ui.session.state.value == "step", 10, "the second step")
    assert _banner_texts(d) == [f"Assisted by staff member {STAFF_ID}"]
    d.screenshot(artifacts / "03-assisted-step.png")
    records = ui.session.records()
    assert {r.field_id for r in records} >= {"full_name", "ni_number", "date_of_birth"}
    assert all(r.actor_type.value == "staff" and r.actor_id == STAFF_ID for r in records)

    d.tap("language-switch")  # Welsh: the banner follows the language
    assert _banner_texts(d) == [f"Gyda chymorth aelod o staff {STAFF_ID}"]


def test_the_whole_assisted_journey_is_submitted_as_the_staff_members(ui, hub, flows):
    d = ui.d
    badge_in(ui, hub, STAFF_TRACK, STAFF_PIN)
    to_outcome(d, ui.today)
    assert _banner_texts(d) == [f"Assisted by staff member {STAFF_ID}"]
    sub = ui.backend.submissions[0]
    assert sub.kind.value == "assisted" and sub.staff_id == STAFF_ID
    assert sub.records and {r.actor_id for r in sub.records} == {STAFF_ID}
    d.tap("outcome:staff")
    d.wait_until(lambda: d.has("outcome:continue"), 10, "the staff result")
    d.tap("outcome:continue")
    d.tap("feedback:skip") if d.has("feedback:skip") else d.tap("face:4")
    if d.has("feedback:send"):
        d.tap("feedback:send")
    d.wait_until(lambda: d.screen == "goodbye", 10, "goodbye")
    assert _banner_texts(d) == [] and ui.session.staff_id is None


def test_wrong_pin_says_so_and_five_lock_the_badge(ui, hub, flows, artifacts):
    d = ui.d
    swipe(ui, hub, STAFF_TRACK)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad")
    enter_pin(d, "1111")
    d.wait_until(lambda: d.has("pin-message") and "Tries" in d.find("pin-message").text, 10,
                 "the wrong-PIN message")  # fmt: skip
    assert d.find("pin-message").text == "That PIN is not right. Tries left: 4"
    assert ui.session.state.value == "attract"
    for left in (3, 2, 1):
        enter_pin(d, "1111")
        d.wait_until(lambda n=left: d.find("pin-message").text.endswith(f": {n}"), 10, f"{left}")
    enter_pin(d, "1111")
    d.wait_until(lambda: "Too many" in d.find("pin-message").text, 10, "the lockout")
    assert d.find("pin-message").text == "Too many wrong PINs. Try again in 5 minutes."
    assert d.find("pin-key:5").disabled and d.find("pin-enter").disabled
    d.screenshot(artifacts / "pin-locked.png")
    d.tap("pin-cancel")
    assert not d.has("pin-pad") and ui.session.state.value == "attract"
    # the right PIN does not help while locked; the pad opens locked at the next swipe
    swipe(ui, hub, STAFF_TRACK)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad again")
    assert "Too many" in d.find("pin-message").text and d.find("pin-key:1").disabled
    d.tap("pin-cancel")


def test_pin_keys_are_at_least_nine_millimetres_and_cancel_leaves_no_trace(ui, hub, flows):
    from kiosk.ui.sizing import MIN_TARGET_MM

    d = ui.d
    swipe(ui, hub, TECH_TRACK)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad")
    assert d.find("pin-title").text == "Technician sign-in"
    least = ui.c.ctx.geometry.mm_to_px(MIN_TARGET_MM)
    keys = [w for w in d.visible() if str(getattr(w, "kid", "")).startswith("pin-")
            and hasattr(w, "on_release")]  # fmt: skip
    assert len(keys) == 13  # ten digits, delete, enter, cancel
    for key in keys:
        assert key.width >= least and key.height >= least, (key.kid, key.size, least)
    d.tap("pin-key:7")
    d.tap("pin-key:3")
    d.tap("pin-cancel")
    assert not d.has("pin-pad") and flows.pad.entered == 0
    assert ui.session.state.value == "attract"


def test_a_badge_is_refused_once_the_citizen_has_answered(ui, hub, flows):
    d = ui.d
    d.tap(d.shell.manager)
    d.wait_until(lambda: d.screen == "language", 10, "the language screen")
    answer_first_step(d, ui.today)
    swipe(ui, hub, STAFF_TRACK)
    d.wait_until(lambda: d.has("device-notice"), 10, "the notice")
    assert "Someone is using this kiosk" in d.find("notice-text").text
    assert not d.has("pin-pad") and ui.session.kind.value == "citizen"
    d.tap("notice-ok")
    assert not d.has("device-notice") and ui.session.answers()["full_name"] == "Ann Example"


def test_an_unattended_pin_pad_closes_by_itself(ui, hub, flows):
    d = ui.d
    flows.pin_idle_s = 3.0  # long enough for the tap to land on a loaded machine
    swipe(ui, hub, STAFF_TRACK)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad")
    d.tap("pin-key:2")
    assert d.has("pin-pad")  # a key press keeps it open ...
    d.wait_until(lambda: not d.has("pin-pad"), 15, "the PIN pad to close")  # ... then it goes
    assert flows.pad.entered == 0 and flows.badge is None
    assert ui.session.state.value == "attract"
