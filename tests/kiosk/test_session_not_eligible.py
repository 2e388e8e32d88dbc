"""The session machine ends a journey in the catalogue's "not eligible" outcome: the step after the
deciding answer is the ``not_eligible`` state showing the outcome's text (the same as the web's),
nothing is drafted or sent; Back returns to the deciding question and a changed answer carries on.
The funnel counts it as ended ``not_eligible``. Run on the shipped catalogue's Council Tax single
person discount, in Welsh."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from catalogue import outcome_for
from catalogue.loader import load_catalogue_strict
from kiosk.session import Session, State
from kiosk.session.errors import IllegalTransition
from kiosk.session.states import Action
from kiosk.session.transitions import TRANSITIONS
from tests.support.clocks import FakeClock

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "council-tax-single-person-discount"


class ListSink:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def record(self, events: list[dict[str, Any]]) -> None:
        self.events += events


@pytest.fixture
def session_and_sink() -> tuple[Session, ListSink]:
    catalogue = load_catalogue_strict(ROOT / "config" / "services")
    sink = ListSink()
    session = Session(
        catalogue, clock=FakeClock(datetime(2026, 3, 16, 10, tzinfo=UTC)), funnel=sink
    )
    session.start()
    session.choose_language("cy")
    session.choose_service(SERVICE)
    return session, sink


def test_the_deciding_answer_ends_in_not_eligible(
    session_and_sink: tuple[Session, ListSink],
) -> None:
    session, sink = session_and_sink
    assert session.current_step is not None and session.current_step.id == "who-lives-there"
    assert session.ending is None
    assert session.answer({"others_over_18": "Oes"}) == {}  # the question's own Welsh yes
    assert session.state is State.NOT_ELIGIBLE
    ending = session.ending
    assert ending == outcome_for(session.service, {"others_over_18": True})  # type: ignore[arg-type]
    assert ending is not None and ending.title.cy == "Ni allwch gael gostyngiad person sengl"
    assert session.draft is None and session.current_step is None
    ended = [e for e in sink.events if e["type"] == "ended"]
    assert [e["reason"] for e in ended] == ["not_eligible"]
    with pytest.raises(IllegalTransition):
        session.confirm_answers()  # nothing to send from here

    session.choose_language("en")  # a language switch keeps the ending
    assert session.state is State.NOT_ELIGIBLE and session.ending == ending

    session.back()  # to the deciding question, answer kept
    assert session.state is State.STEP and session.current_step.id == "who-lives-there"  # type: ignore[union-attr]
    assert session.answers() == {"others_over_18": True}
    session.answer({"others_over_18": "no"})
    assert session.state is State.STEP and session.current_step.id == "since-when"  # type: ignore[union-attr]
    assert session.ending is None


def test_finish_from_not_eligible_forgets_the_person(
    session_and_sink: tuple[Session, ListSink],
) -> None:
    session, _ = session_and_sink
    session.answer({"others_over_18": True})
    session.end()
    assert session.state is State.GOODBYE and session.answers() == {} and session.ending is None


def test_the_table_allows_not_eligible_only_after_an_answer() -> None:
    into = {
        a
        for a, moves in TRANSITIONS.items()
        for targets in moves.values()
        if State.NOT_ELIGIBLE in targets
    }
    assert into == {Action.ANSWER, Action.CHOOSE_LANGUAGE, Action.MORE_TIME}
    assert TRANSITIONS[Action.BACK][State.NOT_ELIGIBLE] == frozenset({State.STEP})
    assert TRANSITIONS[Action.END][State.NOT_ELIGIBLE] == frozenset({State.GOODBYE})
