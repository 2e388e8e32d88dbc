"""The staff console's words for a case's history (issue 17, "Staff console"): human labels for
every event, names not ids, office time in words, the citizen's language — and an event this
version does not know is still shown by its name, never dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from central.staff.labels import (
    HANDOFF_LABELS,
    actor_label,
    case_language,
    event_label,
    local_time,
    timeline,
)

LONDON = ZoneInfo("Europe/London")


def ev(type_: str, payload: dict | None = None, **kw):  # type: ignore[no-untyped-def]
    base = {"seq": 1, "channel": "kiosk", "actor_type": "citizen", "actor_id": None,
            "occurred_at": datetime(2026, 7, 1, 13, 5, tzinfo=UTC)}  # fmt: skip
    return SimpleNamespace(type=type_, payload=payload or {}, **(base | kw))


@pytest.mark.parametrize(("to", "stage"), sorted(HANDOFF_LABELS))
def test_every_handoff_stage_has_words(to: str, stage: str) -> None:
    label = event_label(ev("handed_off", {"to": to, "stage": stage}))
    assert label == HANDOFF_LABELS[(to, stage)] and "_" not in label


def test_what_staff_read_instead_of_the_raw_names() -> None:
    assert event_label(ev("handed_off", {"to": "web", "stage": "slip_printed"})) == (
        "Slip printed to carry on later"
    )
    assert event_label(ev("handed_off", {"to": "kiosk", "stage": "resumed", "via": "slip"})) == (
        "Picked up at a kiosk (with the slip's code)"
    )
    assert event_label(ev("help_requested")) == "Asked for help"
    # unknown to this version: still shown, readable
    assert event_label(ev("handed_off", {"to": "post", "stage": "lost"})) == "Handed on (post lost)"
    assert event_label(ev("case_merged")) == "Case merged"


def test_names_not_ids_and_a_deleted_account_says_so() -> None:
    staff = ev("assigned", actor_type="staff", actor_id="stf_1")
    assert actor_label(staff, {"stf_1": "ffion"}) == "Staff: ffion"
    assert actor_label(staff, {}) == "Staff: a former account"
    assert actor_label(ev("created", actor_type="device"), {}) == "Kiosk"


def test_office_time_in_words_summer_and_winter() -> None:
    assert local_time(datetime(2026, 7, 1, 13, 5, tzinfo=UTC), LONDON) == "1 July 2026, 14:05"
    assert local_time(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), LONDON) == "2 December 2026, 09:00"


def test_the_citizens_language_latest_wins_and_unknown_is_ignored() -> None:
    events = [ev("created", {"language": "en"}), ev("submitted", {"language": "cy"}),
              ev("note_added", {"language": "fr"})]  # fmt: skip
    assert case_language(events) == "cy"
    assert case_language([ev("created")]) is None


def test_a_timeline_row_reads_as_a_sentence() -> None:
    (row,) = timeline(
        [ev("answers_changed", {"answers": {"town": "x", "legacy": 1}}, channel="web")],
        {},
        LONDON,
        {"town": "Town or city"},
    )
    assert (row.when, row.label, row.channel, row.actor, row.details) == (
        "1 July 2026, 14:05", "Answers changed", "Online", "Citizen", "Town or city, legacy",
    )  # fmt: skip
