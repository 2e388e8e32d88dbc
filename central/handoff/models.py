"""Tables of handoffs and printed-slip resume codes. Secrets are stored only as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from central.db.base import Base
from central.db.types import JSONType, UTCDateTime, utcnow

STAFF_ORIGIN = "staff:"
"""Prefix of :attr:`Handoff.device_id` for a handoff a member of staff made (device ids have no
colon)."""


class Handoff(Base):
    """One kiosk → phone handoff. Status is derived from the timestamps (see ``status_at``)."""

    __tablename__ = "handoffs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    short_id: Mapped[str] = mapped_column(String(8), unique=True)
    """Public handle for the typed fallback URL (``/h/<short_id>``); grants nothing on its own."""
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[str] = mapped_column(String(64))
    """The originating kiosk: the only device that may poll, confirm or decline. A handoff made
    by a member of staff at the counter or on the phone line holds ``staff:<staff id>``
    (:data:`STAFF_ORIGIN`), which no device id can be: staff of its office confirm it."""
    office: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval: Mapped[int] = mapped_column(Integer, default=5)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """How it was claimed: ``secret`` (QR) or ``code`` (typed)."""
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    preferences: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    """The citizen's language and accessibility settings carried to the next channel
    (``central.schemas.CarriedPreferences``); only here, never on the case (migration 0011)."""

    def status_at(self, now: datetime, max_attempts: int) -> str:
        if self.declined_at is not None:
            return "declined"
        if self.confirmed_at is not None:
            return "confirmed"
        if self.claimed_at is not None:
            return "claimed"
        if now >= self.expires_at or self.failed_attempts >= max_attempts:
            return "expired"
        return "pending"


class ResumeCode(Base):
    """A printed-slip code: opens its case for 30 days, only together with the second factor."""

    __tablename__ = "resume_codes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    factor_kind: Mapped[str] = mapped_column(String(16))
    factor_hash: Mapped[str] = mapped_column(String(255))
    """argon2id of the normalised second factor."""
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    preferences: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    """The citizen's language and accessibility settings carried to the next channel
    (``central.schemas.CarriedPreferences``); only here, never on the case (migration 0011)."""


class WebSession(Base):
    """A citizen's web session (cookie): reaches exactly one case. Made by a handoff claim or a
    slip code with its second factor; the cookie holds a random token, the row only its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    handoff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    """Set when the session came from a handoff: a decline at the kiosk revokes it."""
    display_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    """The handoff's display code, kept only once claimed (it grants nothing any more) so the phone
    can keep showing the code to compare with the kiosk."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AttemptCounter(Base):
    """Failed attempts of one key — a client address (its /64 for IPv6) or a staff username — kept
    in the database so every process and node counts the same (:mod:`central.handoff.ratelimit`).
    The key is stored only as a hash."""

    __tablename__ = "attempt_counters"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    """Attempts taken in the window, including ones being checked right now (a right one gives its
    attempt back)."""
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """Set when ``failures`` reached the limit: no attempt is taken (nothing is checked) before."""
