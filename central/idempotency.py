"""Idempotency-Key handling (IETF httpapi draft), safe across several server processes on one DB.

Protocol, per (scope, key), inside the transaction that does the work (a create batch, see
:mod:`central.case_create`):

1. :func:`lookup` reads the stored rows of every key of the batch (one ``SELECT``).
2. :func:`verdict` decides per request: no row → go ahead (:data:`NEW`); different request hash →
   422; ``done`` → the stored response, byte for byte, plus ``Idempotent-Replayed: true``; an
   expired row, or a ``running`` row older than :data:`LOCK_TIMEOUT` (left by a crashed worker of an
   older release), is deleted and the request goes ahead; a fresh ``running`` row → 409 with
   Retry-After.
3. The work and its key row (``done``, with the response) are inserted in the *same* transaction —
   the case and its "I answered" record commit together or not at all. The unique constraint on
   (scope, key) settles a race between processes: the loser's transaction fails, is retried, and
   its :func:`lookup` then finds the winner's answer.

Keys expire after ``Settings.idempotency_days`` (≥ 30); :func:`central.retention.purge` clears old ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.engine import Connection, Row

from central.db.models import IdempotencyKey
from central.problems import ProblemError

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
LOCK_TIMEOUT = timedelta(seconds=60)
KEPT_HEADERS = ("content-type", "location", "etag")
KEYS: Table = IdempotencyKey.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]

    @classmethod
    def of(cls, response: Response) -> StoredResponse:
        """What is kept of ``response`` for replays (the body and a few headers)."""
        headers = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        return cls(response.status_code, bytes(response.body), headers)

    def to_response(self) -> Response:
        headers = dict(self.headers)
        media_type = headers.pop("content-type", "application/json")
        headers[REPLAY_HEADER] = "true"
        return Response(self.body, self.status, headers=headers, media_type=media_type)


NEW = object()
""":func:`verdict`: no live row for this key; do the work."""


def key_from(request: Request) -> str:
    key = request.headers.get(HEADER)
    if key is None:
        raise ProblemError(400, f"The {HEADER} header is required.", slug="idempotency-key-missing")
    key = key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ProblemError(
            400, f"{HEADER} must be 1-255 printable ASCII characters.", slug="idempotency-key-bad"
        )
    return key


def request_hash(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def lookup(conn: Connection, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Row]:
    """The stored rows of these (scope, key) pairs, in one query."""
    wanted = set(pairs)
    if not wanted:
        return {}
    # (scope, key) together: the unique index is on both, in that order (the key alone would scan).
    query = select(KEYS).where(tuple_(KEYS.c.scope, KEYS.c.key).in_(sorted(wanted)))
    return {(r.scope, r.key): r for r in conn.execute(query)}


def reused() -> ProblemError:
    return ProblemError(
        422,
        f"This {HEADER} was already used with a different request.",
        slug="idempotency-key-reused",
    )


def in_use() -> ProblemError:
    return ProblemError(
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        slug="idempotency-key-in-use",
        headers={"Retry-After": "1"},
    )


def verdict(conn: Connection, row: Row | None, req_hash: str, now: datetime) -> object:
    """:data:`NEW`, a :class:`StoredResponse` to replay, or raises the 422/409 problem.

    A dead row (expired, or ``running`` past :data:`LOCK_TIMEOUT`) is deleted here, in the
    caller's transaction, and the answer is :data:`NEW`."""
    if row is None:
        return NEW
    if row.expires_at <= now:
        conn.execute(delete(KEYS).where(KEYS.c.id == row.id))
        return NEW
    if row.request_hash != req_hash:
        raise reused()
    if row.state == "done":
        return StoredResponse(
            row.response_status or 200, row.response_body or b"", row.response_headers or {}
        )
    if row.created_at < now - LOCK_TIMEOUT:
        conn.execute(delete(KEYS).where(KEYS.c.id == row.id))
        return NEW
    raise in_use()


def done_row(
    scope: str, key: str, req_hash: str, now: datetime, keep: timedelta, stored: StoredResponse
) -> dict[str, Any]:
    """The key row to insert with the work: answered, kept until ``now + keep``."""
    return {
        "scope": scope,
        "key": key,
        "request_hash": req_hash,
        "state": "done",
        "response_status": stored.status,
        "response_body": stored.body,
        "response_headers": stored.headers,
        "created_at": now,
        "expires_at": now + keep,
    }
