"""The handoff exception tree (drawn in :mod:`central.handoff`)."""

from __future__ import annotations


class HandoffError(Exception):
    status = 400
    slug = "handoff"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class HandoffNotFound(HandoffError):
    status = 404
    slug = "handoff-not-found"


class HandoffExpired(HandoffError):
    status = 410
    slug = "handoff-expired"


class HandoffAlreadyClaimed(HandoffError):
    status = 409
    slug = "handoff-claimed"


class HandoffStateError(HandoffError):
    status = 409
    slug = "handoff-state"


class WrongCode(HandoffError):
    status = 400
    slug = "wrong-code"


class RateLimited(HandoffError):
    status = 429
    slug = "rate-limited"
