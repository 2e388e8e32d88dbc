"""A whole citizen journey by synthetic touches, with a screenshot of every screen."""

from __future__ import annotations


def test_full_journey_by_touch_prints_and_forgets(ui, artifacts):
    from screens.script import journey_answers, play_journey

    shots = play_journey(ui.d, artifacts, today=ui.today)
    assert len(shots) >= 12 and all(p.stat().st_size > 5000 for p in shots)
    sub = ui.backend.submissions[0]
    assert sub.service_id == "change-of-address"
    assert sub.answers["full_name"] == "Ann Example"
    assert sub.answers["postcode"] == "CF10 1AA"
    assert sub.answers["others_on_benefits"] is False
    assert ui.backend.printed == ["DEMOOFFICE-7K3M-9"]
    assert [(f.score, f.ending, f.comment, f.service_id) for f in ui.backend.feedback] == [
        (4, "completed", None, "change-of-address")
    ]
    texts = " ".join(ui.d.texts())
    for value in journey_answers(ui.today).values():
        assert value not in texts
    assert "DEMOOFFICE-7K3M-9" not in texts
