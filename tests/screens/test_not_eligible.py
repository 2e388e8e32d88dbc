"""The kiosk's not-eligible screen (catalogue ``[[outcomes]]``): after the deciding answer the
kiosk shows the outcome's own title and body in the session's language — the text the web shows —
with Back to the deciding question and Finish; nothing is sent."""

from __future__ import annotations

from typing import Any

SERVICE = "council-tax-single-person-discount"


def test_not_eligible_screen_shows_the_catalogue_outcome_and_goes_back(
    ui: Any, artifacts: Any
) -> None:
    from catalogue import outcome_for

    s, d = ui.session, ui.d
    s.start()
    s.choose_language("cy")
    s.choose_service(SERVICE)
    d.pump(2)
    assert d.screen == "step"
    assert s.answer({"others_over_18": True}) == {}
    d.wait_until(lambda: d.screen == "not_eligible", what="the not-eligible screen")
    ending = outcome_for(s.service, {"others_over_18": True})
    texts = d.texts(everywhere=False)
    assert ending.title.cy in texts
    for line in ending.body.cy.splitlines():
        assert line.strip() in texts
    d.screenshot(artifacts / "not-eligible-cy.png")
    assert ui.backend.submissions == []

    d.tap("change-answer")
    d.wait_until(lambda: d.screen == "step", what="back on the deciding question")
    assert s.current_step.id == "who-lives-there"
    assert s.answer({"others_over_18": True}) == {}
    d.wait_until(lambda: d.screen == "not_eligible", what="the not-eligible screen again")
    d.tap("finish")
    d.wait_until(lambda: d.screen == "goodbye", what="goodbye")
    assert s.answers() == {} and ui.backend.submissions == []
