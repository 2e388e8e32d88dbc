"""The answers of the person at the kiosk, each with who gave it and when.

Every change is kept as an :class:`AnswerRecord` (field, value, time, channel, actor), so an
assisted session attributes each answer to the member of staff who entered it, and the case
history can say "entered at the kiosk by staff S123". The store is the only place a session
keeps answers; :meth:`AnswerStore.clear` empties it in place when the session is wiped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from catalogue.model import Step
from kiosk.session.states import ActorType

__all__ = ["AnswerRecord", "AnswerStore"]


@dataclass(frozen=True)
class AnswerRecord:
    field_id: str
    value: object
    """The normalised answer; None when the person cleared an optional field."""
    at: datetime
    channel: str = "kiosk"
    actor_type: ActorType = ActorType.CITIZEN
    actor_id: str | None = None
    """The staff id in an assisted session; None for the citizen themself."""

    def __repr__(self) -> str:  # answers are personal data: keep them out of logs and tracebacks
        return (
            f"AnswerRecord(field_id={self.field_id!r}, value=<hidden>, at={self.at.isoformat()}, "
            f"actor_type={self.actor_type.value!r}, actor_id={self.actor_id!r})"
        )


class AnswerStore:
    """Current answers plus the history of records that produced them."""

    def __init__(self) -> None:
        self._answers: dict[str, object] = {}
        self._records: list[AnswerRecord] = []

    def set(self, record: AnswerRecord) -> None:
        self._records.append(record)
        if record.value is None:
            self._answers.pop(record.field_id, None)
        else:
            self._answers[record.field_id] = record.value

    def record_step(
        self,
        step: Step,
        clean: Mapping[str, object],
        at: datetime,
        channel: str,
        actor_type: ActorType,
        actor_id: str | None,
    ) -> None:
        """Record a step's validated answers; a field left empty forgets its earlier answer."""
        current = self._answers
        for f in step.fields:
            value = clean.get(f.id)
            if value is None and f.id not in current:
                continue  # nothing given, nothing to forget
            if value is not None and f.id in current and current[f.id] == value:
                continue  # unchanged: keep the original record (and who entered it)
            self.set(AnswerRecord(f.id, value, at, channel, actor_type, actor_id))

    def drop(self, field_ids: Iterable[str]) -> None:
        """Forget answers (and their records) to fields the person can no longer see."""
        gone = {
            f
            for f in field_ids
            if f in self._answers or any(r.field_id == f for r in self._records)
        }
        if not gone:
            return
        for f in gone:
            self._answers.pop(f, None)
        self._records[:] = [r for r in self._records if r.field_id not in gone]

    def answers(self) -> dict[str, object]:
        """A copy of the current answers, by field id."""
        return dict(self._answers)

    def records(self) -> tuple[AnswerRecord, ...]:
        return tuple(self._records)

    def latest_records(self) -> tuple[AnswerRecord, ...]:
        """The record behind each current answer (what a submission carries)."""
        latest: dict[str, AnswerRecord] = {}
        for r in self._records:
            if r.field_id in self._answers:
                latest[r.field_id] = r
        return tuple(latest.values())

    def __len__(self) -> int:
        return len(self._answers)

    def clear(self) -> None:
        # In place, so no other reference to these containers keeps the values alive.
        self._answers.clear()
        self._records.clear()

    def __repr__(self) -> str:
        return f"AnswerStore({len(self._answers)} answers, {len(self._records)} records)"
