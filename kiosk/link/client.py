"""The kiosk's client of the central case service (HTTP, JSON, device-token auth).

Rules it keeps, so callers need not:

* every call has a timeout; nothing here can hang the kiosk;
* only calls that are safe to repeat are retried — reads, and writes that carry their own identity
  (an ``Idempotency-Key``, client event ids, ``If-Match``) — and only when there was no usable answer
  (network errors, 5xx, 429, 409 "still running" with ``Retry-After``); a 4xx is final;
* retries wait with full-jitter exponential backoff (``uniform(0, min(cap, base·2^n))``), never less
  than the server's ``Retry-After``;
* requests' exceptions never escape: callers see :mod:`kiosk.link.errors`;
* no token, answer or handoff secret in any log line (only method, path template and status).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from kiosk.link.errors import CentralError, Conflict, Offline, Rejected, Unauthorised
from kiosk.link.transport import HttpResponse, RequestsTransport, Transport, TransportError

__all__ = ["API", "CentralClient"]

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_RETRY_AFTER_S = 60.0


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after")
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(raw))) if raw is not None else None
    except ValueError:
        return None


def _problem(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


class CentralClient:
    """One kiosk's link to central. Thread-safe for concurrent calls (the transport pools)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: Transport | None = None,
        timeout_s: float = 5.0,
        retries: int = 3,
        backoff_base_s: float = 0.2,
        backoff_cap_s: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        user_agent: str = "omnikiosk-kiosk",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.transport: Transport = transport or RequestsTransport()
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.user_agent = user_agent
        self._carried: dict[str, dict[str, Any]] = {}
        """Preferences for the next handoff of one case (:meth:`carry_on_handoff`)."""

    def __repr__(self) -> str:  # never show the token
        return f"CentralClient({self.base_url!r})"

    # ------------------------------------------------------------------ the calls
    def create_case(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """POST /cases; a replay with the same key answers the first response."""
        return self._json("POST", "/cases", body, {"Idempotency-Key": idempotency_key})

    def append_events(
        self, case_id: str, events: list[dict[str, Any]], if_match: str | None = None
    ) -> dict[str, Any]:
        """POST /cases/{id}/events as one batch; replayed event ids are answered, not duplicated.
        ``if_match``: the ETag a batch changing answers is sent under (412 → Conflict)."""
        headers = {"If-Match": if_match} if if_match else None
        return self._json("POST", f"/cases/{quote(case_id)}/events", {"events": events}, headers)

    def post_funnel(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """POST /funnel: funnel events (no personal data); replayed event ids count once."""
        return self._json("POST", "/funnel", {"events": events})

    def get_case(self, case_id: str) -> tuple[dict[str, Any], str]:
        r = self._send("GET", f"/cases/{quote(case_id)}", None, {}, retry=True)
        return _problem(r.body), r.headers.get("etag", "")

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return list(self._json("GET", f"/cases/{quote(case_id)}/events").get("events", []))

    def patch_answers(
        self,
        case_id: str,
        answers: dict[str, Any],
        etag: str,
        event_id: str | None = None,
        occurred_at: str | None = None,
    ) -> tuple[dict[str, Any], str]:
        """PATCH /cases/{id}/answers (a JSON merge patch) under If-Match; 412 → Conflict."""
        body: dict[str, Any] = {"answers": answers}
        if event_id:
            body["event_id"] = event_id
        if occurred_at:
            body["occurred_at"] = occurred_at
        path = f"/cases/{quote(case_id)}/answers"
        r = self._send("PATCH", path, body, {"If-Match": etag}, True)
        return _problem(r.body), r.headers.get("etag", "")

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        """Not retried: a late heartbeat is worth less than the next one on schedule."""
        return self._json("POST", "/devices/heartbeat", body, retry=False)

    def registration(self) -> dict[str, Any]:
        """GET /devices/me: how central registered this kiosk — ``device_id``, ``office``,
        ``name``. A read, so retried; a bad or revoked token raises Unauthorised."""
        return self._json("GET", "/devices/me")

    def catalogue(self) -> dict[str, Any]:
        return self._json("GET", "/catalogue")

    def carry_on_handoff(self, case_id: str, preferences: Mapping[str, Any]) -> None:
        """The person's language and settings for the next handoff of ``case_id`` (issue 19
        item 6). Only the latest case is kept, and it is taken by that handoff: nothing of one
        person travels on the next person's."""
        self._carried = {case_id: dict(preferences)}

    def create_handoff(self, case_id: str) -> dict[str, Any]:
        """A new handoff each call, so not retried (the screen offers "try again"). It carries
        what :meth:`carry_on_handoff` handed over for this case; when central refuses that (422:
        a setting it does not know yet) the handoff is made without it."""
        path = f"/cases/{quote(case_id)}/handoffs"
        carried = self._carried.pop(case_id, None)
        if not carried:
            return self._json("POST", path, None, retry=False)
        try:
            return self._json("POST", path, {"preferences": carried}, retry=False)
        except Rejected as exc:
            if exc.status != 422:
                raise
            log.info("handoff preferences refused by central; the handoff carries none")
            return self._json("POST", path, None, retry=False)

    def handoff_status(self, handoff_id: str) -> dict[str, Any]:
        return self._json("GET", f"/handoffs/{quote(handoff_id)}")

    def confirm_handoff(self, handoff_id: str) -> dict[str, Any]:
        return self._json("POST", f"/handoffs/{quote(handoff_id)}/confirm")

    def decline_handoff(self, handoff_id: str) -> dict[str, Any]:
        return self._json("POST", f"/handoffs/{quote(handoff_id)}/decline")

    def create_resume_code(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._json("POST", f"/cases/{quote(case_id)}/resume-codes", body, retry=False)

    def resume(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open a case from a slip's resume code and its second factor (not retried: attempts
        are counted by central)."""
        return self._json("POST", "/resume", body, retry=False)

    def ping(self) -> float:
        """Seconds for a round trip to /healthz (for diagnostics); raises Offline when down."""
        started = time.perf_counter()
        self._send("GET", "/healthz", None, {}, retry=False, prefix="")
        return time.perf_counter() - started

    # ------------------------------------------------------------------ machinery
    def _json(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        return _problem(self._send(method, path, body, headers or {}, retry).body)

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        headers: Mapping[str, str],
        retry: bool,
        prefix: str = API,
    ) -> HttpResponse:
        url = f"{self.base_url}{prefix}{path}"
        all_headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            **headers,
        }
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), default=str).encode()
            all_headers["Content-Type"] = "application/json"
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, url, all_headers, data)
            except (Offline, Conflict) as exc:
                retry_after = exc.retry_after
                if isinstance(exc, Conflict) and retry_after is None:
                    raise  # a real conflict: repeating the request cannot resolve it
                if attempt == attempts - 1:
                    raise
                ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2**attempt)
                delay = max(self.rng.uniform(0, ceiling), retry_after or 0.0)
                log.info(
                    "%s %s: %s; retry %d in %.2f s", method, path, exc.detail, attempt + 1, delay
                )
                self.sleep(delay)
        raise CentralError("unreachable")  # pragma: no cover - the loop returns or raises

    def _once(
        self, method: str, url: str, headers: Mapping[str, str], data: bytes | None
    ) -> HttpResponse:
        try:
            r = self.transport(method, url, headers, data, self.timeout_s)
        except TransportError as exc:
            raise Offline(f"central unreachable ({exc.kind})") from None
        if r.status < 400:
            return r
        problem = _problem(r.body)
        retry_after = _retry_after(r.headers)
        if r.status >= 500 or r.status == 429:
            raise Offline(f"central answered {r.status}", retry_after)
        if r.status in (401, 403):
            raise Unauthorised(r.status, problem)
        if r.status in (409, 412):
            raise Conflict(r.status, problem, retry_after if r.status == 409 else None)
        raise Rejected(r.status, problem)
