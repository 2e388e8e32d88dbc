"""The outcome screen: the phone handoff (QR, display code, confirm/decline of equal weight),
central unreachable said honestly, printing trouble in a sentence, asking staff."""

from __future__ import annotations

from journeys import to_outcome


def test_phone_claim_can_be_declined_then_confirmed(ui, artifacts):
    d = ui.d
    to_outcome(ui)
    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("qr"), what="the QR code")
    assert d.find("display-code").text == "BCDF-GHJK"
    # For people who type: the link without its secret, and the one code to enter there.
    assert d.find("typed-fallback").text == (
        "Or go to http://central.test/continue and enter BCDF-GHJK"
    )
    shown = " ".join(d.texts(everywhere=False))
    assert "secret-part" not in shown and "http://central.test/continue" in shown
    qr = d.find("qr")
    assert qr.texture is not None and qr.width >= ui.c.ctx.geometry.mm_to_px(30)
    d.screenshot(artifacts / "phone-qr.png")

    ui.backend.phone_state = "claimed"
    d.wait_until(lambda: d.has("phone:confirm"), what="the claim")
    confirm, decline = d.find("phone:confirm"), d.find("phone:decline")
    assert confirm.size == decline.size and confirm.background_color == decline.background_color
    assert d.find("display-code").text == "BCDF-GHJK"
    d.screenshot(artifacts / "phone-claimed.png")
    d.tap("phone:decline")
    d.wait_until(lambda: ui.backend.phone_answers, what="the decline")
    assert ui.backend.phone_answers == [("handoff-1", False)]
    assert d.screen == "outcome" and d.has("outcome:phone") and d.has("note")

    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("phone:confirm"), what="the second claim")
    d.tap("phone:confirm")
    d.wait_until(lambda: len(ui.backend.phone_answers) == 2, what="the confirmation")
    assert ui.backend.phone_answers[-1] == ("handoff-1", True)
    assert d.screen == "feedback"
    assert ui.session.draft.outcomes[-1].value == "phone"


def test_an_expired_code_returns_to_the_options_with_a_note(ui):
    to_outcome(ui)
    ui.d.tap("outcome:phone")
    ui.d.wait_until(lambda: ui.d.has("qr"), what="the QR code")
    ui.backend.phone_state = "expired"
    ui.d.wait_until(lambda: ui.d.has("note"), what="the expiry note")
    assert ui.d.find("note").text == "The code has expired."
    assert not ui.d.has("qr") and ui.d.has("outcome:phone")


def test_central_unreachable_is_said_and_other_ways_stay(ui):
    ui.backend.phone_available = False
    to_outcome(ui)
    ui.d.tap("outcome:phone")
    ui.d.wait_until(lambda: ui.d.has("note"), what="the note")
    assert "not available" in ui.d.find("note").text
    assert ui.d.has("outcome:print") and ui.d.has("outcome:staff")
    assert "DEMOOFFICE-7K3M-9" in ui.d.find("reference").text


def test_printer_trouble_is_one_sentence_and_the_reference_stays(ui):
    ui.backend.print_problem = "The printer needs attention. Please ask a member of staff."
    to_outcome(ui)
    ui.d.tap("outcome:print")
    ui.d.wait_until(lambda: ui.d.has("outcome:continue"), what="the print result")
    assert ui.d.find("title").text == ui.backend.print_problem
    assert "DEMOOFFICE-7K3M-9" in ui.d.find("reference").text
    ui.d.tap("outcome:continue")
    assert ui.d.screen == "feedback"


def test_ask_staff_tells_the_person_help_is_coming(ui):
    to_outcome(ui)
    ui.d.tap("outcome:staff")
    ui.d.wait_until(lambda: ui.d.has("outcome:continue"), what="the staff result")
    assert ui.backend.staff == ["DEMOOFFICE-7K3M-9"]
    assert "member of staff" in ui.d.find("title").text


def test_back_from_the_qr_returns_to_the_options(ui):
    to_outcome(ui)
    assert ui.d.find("back").disabled
    ui.d.tap("outcome:phone")
    ui.d.wait_until(lambda: ui.d.has("qr"), what="the QR code")
    assert not ui.d.find("back").disabled
    ui.d.tap("back")
    assert ui.d.has("outcome:phone") and not ui.d.has("qr")


def test_sending_failure_returns_to_check_answers_with_a_message(ui):
    def broken(_submission):
        raise ConnectionError("disk full")

    ui.backend.submit = broken
    from journeys import to_check_answers

    to_check_answers(ui)
    ui.d.tap("submit")
    ui.d.wait_until(lambda: ui.d.has("submit-failed"), what="the failure message")
    assert ui.d.screen == "check_answers" and ui.d.has("submit")
