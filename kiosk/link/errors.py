"""What can go wrong talking to central, in the kiosk's own terms (requests' exceptions never escape).

Exception tree::

    Exception
     └── CentralError                 base; .detail is safe to show and log (no PII, no token)
          ├── Offline                 no answer we can use: refused, reset, timeout, DNS, 5xx, 503
          └── Rejected(status, problem)   central answered 4xx: retrying the same request won't help
               ├── Conflict           409 / 412: someone changed it first, or a key is in use
               └── Unauthorised       401 / 403: the device token is wrong, revoked or not allowed
"""

from __future__ import annotations

from typing import Any

__all__ = ["CentralError", "Conflict", "Offline", "Rejected", "Unauthorised"]


class CentralError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Offline(CentralError):
    """Central could not be reached or could not answer now; the same request may succeed later."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Rejected(CentralError):
    """Central refused the request (4xx); ``problem`` is its application/problem+json body."""

    def __init__(
        self, status: int, problem: dict[str, Any] | None = None, retry_after: float | None = None
    ) -> None:
        self.status = status
        self.problem = problem or {}
        self.retry_after = retry_after  # 409 "still running" says when to ask again
        title = self.problem.get("title") or "rejected"
        detail = self.problem.get("detail") or ""
        super().__init__(f"{status} {title}: {detail}".rstrip(": "))


class Conflict(Rejected):
    pass


class Unauthorised(Rejected):
    pass
