"""JSON shapes of the core API (pydantic models; they are also the OpenAPI schemas)."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

ChannelName = Literal["kiosk", "web", "staff", "assisted"]
ActorType = Literal["citizen", "staff", "device", "system"]
ClientEventType = Literal[
    "answers_changed",
    "submitted",
    "handed_off",
    "help_requested",
    "assigned",
    "unassigned",
    "note_added",
    "feedback_given",
    "closed",
]
ServiceId = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
Answers = dict[str, Any]


_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_INT = 2**53
"""Integers anywhere in a body stay within ±2^53 (RFC 7493, I-JSON: what every peer reads exactly)."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Times a client may give (``occurred_at``) lie in [EARLIEST, LATEST), in UTC."""


def _bad_value(value: Any) -> str | None:
    """Why ``value`` (a parsed JSON body, at any depth) cannot be taken, or None."""
    if isinstance(value, str):
        if _BAD_CHARS.search(value):
            return "text must not contain NUL characters or lone surrogates (\\ud800–\\udfff)"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -MAX_JSON_INT <= value <= MAX_JSON_INT else "integers must be within ±2^53"
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite"
    if isinstance(value, dict):
        for k, v in value.items():
            if (why := _bad_value(k) or _bad_value(v)) is not None:
                return why
    elif isinstance(value, list):
        for v in value:
            if (why := _bad_value(v)) is not None:
                return why
    return None


def _sane_time(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError("the time must lie between 2000 and 2100 (UTC)")
    return value


ClientTime = Annotated[AwareDatetime, AfterValidator(_sane_time)]
"""A time on a client's clock: with its UTC offset, and within years 2000–2099 once in UTC (so
storing it, in UTC, can never overflow a datetime)."""


class _In(BaseModel):
    """Request bodies: unknown members refused; at any depth (answers, payloads, keys too) no NUL
    character (PostgreSQL cannot store it), no lone surrogate (it cannot be encoded again — once
    stored it breaks every read of the row), no integer beyond ±2^53, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        why = _bad_value(data)
        if why is not None:
            raise ValueError(why)
        return data


class CaseCreate(_In):
    id: uuid.UUID = Field(
        description="Chosen by the client (a UUID), so a retry names the same case."
    )
    service_id: str = ServiceId
    channel: ChannelName = "kiosk"
    answers: Answers = Field(default_factory=dict, max_length=500)
    event_id: uuid.UUID | None = Field(
        default=None, description="Client id of the 'created' event (default: derived from id)."
    )
    occurred_at: ClientTime | None = Field(
        default=None, description="When the case was started on the client's clock."
    )
    actor_type: ActorType = "citizen"
    actor_id: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "A reference the kiosk made itself (OFFICE-XXXX-XXXX-C, its own office) so that a "
            "citizen served while offline already holds it; 409 if another case has it."
        ),
    )


class CaseOut(BaseModel):
    id: uuid.UUID
    reference: str
    service_id: str
    status: str
    origin_channel: str
    origin_office: str
    origin_device: str | None
    answers: Answers
    assigned_to: str | None
    queued_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class AnswersPatch(_In):
    answers: Answers = Field(
        max_length=500, description="JSON merge patch of the answers: null removes an answer."
    )
    event_id: uuid.UUID | None = None
    occurred_at: ClientTime | None = None
    channel: ChannelName | None = None
    actor_type: ActorType | None = None
    actor_id: str | None = Field(default=None, max_length=64)


class EventIn(_In):
    event_id: uuid.UUID
    type: ClientEventType
    channel: ChannelName | None = Field(
        default=None, description="Defaults to the caller's channel (kiosk for devices)."
    )
    actor_type: ActorType | None = None
    actor_id: str | None = Field(default=None, max_length=64)
    occurred_at: ClientTime
    payload: dict[str, Any] = Field(
        default_factory=dict,
        max_length=200,
        description=(
            "By type (see central/fold.py). feedback_given: {score: 1-5 (5 very satisfied), "
            "ending: completed|not_eligible|handed_off|abandoned|timed_out, comment?: <=500 "
            "characters}; a kiosk's older {score: 1-4, reason?} is still taken and mapped "
            "4->5, 3->4, 2->2, 1->1 (ending completed)."
        ),
    )


class EventBatch(_In):
    events: list[EventIn] = Field(min_length=1, max_length=100)


class EventOut(BaseModel):
    event_id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    type: str
    channel: str
    actor_type: str
    actor_id: str | None
    device_id: str | None
    occurred_at: datetime
    received_at: datetime
    payload: dict[str, Any]


class EventList(BaseModel):
    case_id: uuid.UUID
    events: list[EventOut]


class EventBatchOut(BaseModel):
    events: list[EventOut]
    replayed: list[bool] = Field(description="For each event: true when it was already stored.")
    case: CaseOut


class QueueEntry(BaseModel):
    id: uuid.UUID
    reference: str
    service_id: str
    status: str
    origin_channel: str
    queued_at: datetime | None
    created_at: datetime


class Queue(BaseModel):
    office: str
    cases: list[QueueEntry]


class HeartbeatActivity(_In):
    session_active: bool = Field(description="A citizen (or assisted) session is open")
    idle_s: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Seconds since the last touch"
    )
    screen: str | None = Field(
        default=None, max_length=32, description="The screen shown, e.g. attract"
    )


class HeartbeatIn(_In):
    software_version: str = Field(min_length=1, max_length=64)
    outbox_depth: int = Field(ge=0, le=10_000_000)
    device_states: dict[str, Any] = Field(
        default_factory=dict,
        max_length=64,
        description="Per peripheral: its state/condition as the kiosk reports it.",
    )
    activity: HeartbeatActivity | None = Field(
        default=None,
        description="Citizen activity now (optional; central refuses a screenshot from it).",
    )
    bundle_version: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] | None = Field(
        default=None,
        description="The configuration bundle version it runs (optional; none installed: absent).",
    )


class HeartbeatOut(BaseModel):
    device_id: str
    received_at: datetime
    interval_s: int = 30
    commands: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Remote commands for the kiosk, each delivered once: id, kind, args, "
        "queued_at. Answer each at POST /devices/commands/{id}/result.",
    )


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)


class CarriedPreferences(_In):
    """A citizen's language and accessibility settings carried with a case to the next channel
    (issue 19 item 6): on a handoff, a slip's resume code and a web-saved case, never on the case
    itself. Every member optional (absent: the default there); an unknown member or a value out of
    its range is refused (422). The kiosk writes them from its settings' fields
    (``kiosk.ui.preferences``): a setting added there travels once it has its line here."""

    language: Literal["en", "cy"] | None = None
    text_size: Annotated[int, Field(strict=True, ge=0, le=3)] | None = Field(
        default=None, description="Index of the kiosk's text sizes: 0 standard … 3 largest."
    )
    theme: Literal["standard", "high-contrast-dark", "high-contrast-light"] | None = None
    reach_mode: Annotated[bool, Field(strict=True)] | None = None
    audio: Annotated[bool, Field(strict=True)] | None = None
    volume: Annotated[int, Field(strict=True, ge=0, le=100)] | None = Field(
        default=None, description="Speech volume, percent."
    )
    rate: Annotated[int, Field(strict=True, ge=80, le=450)] | None = Field(
        default=None, description="Speech rate, words per minute."
    )

    def stored(self) -> dict[str, Any] | None:
        """What the row keeps: the members given, or None when nothing is carried."""
        return self.model_dump(exclude_none=True) or None
