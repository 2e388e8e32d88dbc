"""The wire shape of funnel events: strict, bounded, and with no place for free text.

Every string is an id matching a pattern, or a name from :mod:`catalogue.funnel`; unknown members
are refused (422) as everywhere in the API. Which fields an event carries depends on its ``type``
(checked here); whether its service and step exist is checked against the catalogue when the batch
is recorded (:mod:`central.measure.record`), per event, so one stale id never loses a batch.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from catalogue import funnel
from central.schemas import ClientTime, _In

MAX_BATCH = 500
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
]

EventType = Literal["started", "step", "ended", "handoff"]
Channel = Literal["kiosk", "web", "counter", "phone", "assisted"]
Reason = Literal[
    "submitted",
    "not_eligible",
    "handed_off_phone",
    "handed_off_staff",
    "back_to_start",
    "idle_wipe",
    "changed_service",
    "wiped",
    "abandoned_web",
    "error",
]
Feature = Literal[
    "large_text", "high_contrast", "reach_mode", "audio", "screen_reader", "keyboard", "easy_read"
]
Route = Literal["phone", "staff"]
Language = Literal["en", "cy"]

_ONLY = {
    "started": {"language", "features"},
    "step": {"step_id", "step_index"},
    "ended": {"reason", "duration_ms"},
    "handoff": {"route"},
}
_NEEDED = {"started": set(), "step": {"step_id"}, "ended": {"reason"}, "handoff": {"route"}}
_OPTIONAL = {"language", "features", "step_id", "step_index", "reason", "duration_ms", "route"}


class FunnelEventIn(_In):
    event_id: uuid.UUID = Field(description="Chosen by the client: a replay is stored once.")
    session_id: uuid.UUID = Field(description="Random per funnel session; never a case id.")
    type: EventType
    service_id: Id
    channel: Channel = "kiosk"
    started_at: ClientTime = Field(description="When the session started: the day it counts on.")
    occurred_at: ClientTime = Field(description="When this happened (not when it arrived).")
    language: Language | None = None
    features: list[Feature] = Field(default_factory=list, max_length=len(funnel.FEATURES))
    step_id: Id | None = None
    step_index: int | None = Field(default=None, ge=0, le=500)
    reason: Reason | None = None
    duration_ms: int | None = Field(default=None, ge=0, le=funnel.MAX_DURATION_S * 1000)
    route: Route | None = None

    @model_validator(mode="after")
    def _fields_of_type(self) -> FunnelEventIn:
        given = {name for name in _OPTIONAL if getattr(self, name) not in (None, [])}
        if extra := given - _ONLY[self.type]:
            raise ValueError(f"a {self.type} event has no {', '.join(sorted(extra))}")
        if missing := _NEEDED[self.type] - given:
            raise ValueError(f"a {self.type} event needs {', '.join(sorted(missing))}")
        if len(set(self.features)) != len(self.features):
            raise ValueError("features are named once each")
        if self.occurred_at < self.started_at:
            raise ValueError("occurred_at is before the session's started_at")
        if (self.occurred_at - self.started_at).total_seconds() > funnel.MAX_DURATION_S:
            raise ValueError("a funnel session lasts at most 7 days")
        return self


class FunnelBatch(_In):
    events: list[FunnelEventIn] = Field(min_length=1, max_length=MAX_BATCH)


class Refused(BaseModel):
    index: int
    reason: Literal["unknown_service", "unknown_step", "wrong_channel", "in_the_future"]


class FunnelBatchOut(BaseModel):
    accepted: int = Field(description="Events stored now.")
    duplicates: int = Field(description="Events already stored (replays): counted once.")
    refused: list[Refused] = Field(
        default_factory=list, description="Events that name no catalogue id (not stored)."
    )
