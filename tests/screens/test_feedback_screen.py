"""The one feedback question at the kiosk (issue 12, item 6): the same five points, in the same
words, as every other channel (central.feedback; Welsh as central's web pages say it), each a face
with its words, chosen by a finger at the place the choice is on screen after it settled."""

from __future__ import annotations

import pytest
from journeys import step_answers

WORDS = {
    "en": {
        "question": "Overall, how did you feel about the service you received today?",
        5: "Very satisfied",
        4: "Satisfied",
        3: "Neither satisfied or dissatisfied",
        2: "Dissatisfied",
        1: "Very dissatisfied",
    },
    "cy": {
        "question": "Yn gyffredinol, sut oeddech chi’n teimlo am y gwasanaeth a gawsoch heddiw?",
        5: "Bodlon iawn",
        4: "Bodlon",
        3: "Ddim yn fodlon nac yn anfodlon",
        2: "Anfodlon",
        1: "Anfodlon iawn",
    },
}


def to_feedback(ui, lang: str, route: str) -> None:
    """Answers through the session (other tests do them by touch), then send, the route and on
    to the question by touch."""
    d, s = ui.d, ui.session
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    for values in step_answers(ui.today):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")
    d.tap(f"outcome:{route}")
    d.wait_until(lambda: d.has("outcome:continue"), what="the route's result")
    d.tap("outcome:continue")
    d.wait_until(lambda: d.screen == "feedback", what="the feedback question")
    d.wait(0.5)  # settled


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


@pytest.mark.parametrize(
    ("lang", "route", "score", "ending"),
    [("en", "print", 1, "completed"), ("cy", "staff", 5, "handed_off")],
)
def test_five_points_in_words_chosen_by_touch(ui, artifacts, lang, route, score, ending):
    d = ui.d
    to_feedback(ui, lang, route)
    words = WORDS[lang]
    assert d.find("title").text == words["question"]
    faces = {s: d.find(f"face:{s}") for s in (5, 4, 3, 2, 1)}
    assert {s: f.text for s, f in faces.items()} == {s: words[s] for s in faces}
    # Best first, left to right, all on screen at once, none cut off.
    xs = [centre(faces[s])[0] for s in (5, 4, 3, 2, 1)]
    assert xs == sorted(xs)
    for face in faces.values():
        x, y = centre(face)
        assert 0 < x < d.shell.width and 0 < y < d.shell.height
        assert face.texture_size[1] <= face.height
    d.screenshot(artifacts / f"feedback-{lang}.png")
    d.tap_at(*centre(faces[score]))
    d.wait(0.5)
    chosen = [s for s, f in faces.items() if f.state == "down"]
    assert chosen == [score]
    # Not by colour alone: the chosen one says so and carries the filled radio mark.
    said = {
        "en": (", selected.", ", not selected."),
        "cy": (", wedi’i ddewis.", ", heb ei ddewis."),
    }
    yes, no = said[lang]
    assert faces[score].spoken.endswith(yes) and faces[6 - score].spoken.endswith(no)
    if lang == "en":
        d.type_into("feedback:comment", "Slow")
    d.screenshot(artifacts / f"feedback-{lang}-chosen.png")
    d.tap("feedback:send")
    d.wait_until(lambda: ui.backend.feedback, what="the feedback")
    (given,) = ui.backend.feedback
    assert (given.score, given.ending, given.comment, given.service_id) == (
        score, ending, "Slow" if lang == "en" else None, "change-of-address",
    )  # fmt: skip
    assert d.screen == "goodbye"


def test_skip_sends_nothing(ui):
    d = ui.d
    to_feedback(ui, "en", "print")
    d.tap("feedback:skip")
    assert d.screen == "goodbye" and ui.backend.feedback == []
