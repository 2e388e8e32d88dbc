"""Idempotency-Key handling (IETF httpapi draft), safe across several server processes on one DB.

Protocol, per (scope, key):

1. :func:`claim` inserts a ``running`` row in its own, immediately committed transaction. The unique
   constraint on (scope, key) decides which of several concurrent requests does the work — even in
   different processes. (On PostgreSQL that commit does not wait for its WAL flush; the work's
   commit, which does, makes both durable.)
2. The winner does the work and, in the *same* transaction, :func:`complete` stores the response
   (status, body bytes, a few headers) and marks the row ``done`` — the case and its "I answered"
   record commit together or not at all.
3. A loser finds the row: different request hash → 422; ``running`` → 409 (with Retry-After);
   ``done`` → the stored response, byte for byte, plus ``Idempotent-Replayed: true``.

A ``running`` row older than :data:`LOCK_TIMEOUT` is left over by a crashed worker: the next request
takes it over (a conditional UPDATE, so only one does). An unexpected error deletes the row
(:func:`release`) so the client's retry can run. Keys expire after ``Settings.idempotency_days``
(≥ 30); an expired row is replaced as if new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Table, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db.models import IdempotencyKey
from central.problems import ProblemError

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
LOCK_TIMEOUT = timedelta(seconds=60)
KEPT_HEADERS = ("content-type", "location", "etag")
KEYS: Table = IdempotencyKey.__table__  # type: ignore[assignment]
_INSERT_KEY = insert(KEYS)  # built once (see central.cases_service)
_COMPLETE = (
    update(KEYS)
    .where(KEYS.c.scope == bindparam("b_scope"), KEYS.c.key == bindparam("b_key"))
    .values(
        state="done",
        response_status=bindparam("v_status"),
        response_body=bindparam("v_body"),
        response_headers=bindparam("v_headers"),
    )
)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]

    def to_response(self) -> Response:
        headers = dict(self.headers)
        media_type = headers.pop("content-type", "application/json")
        headers[REPLAY_HEADER] = "true"
        return Response(self.body, self.status, headers=headers, media_type=media_type)


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


def _existing(session: Session, scope: str, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    ).one_or_none()


def claim(
    session: Session,
    scope: str,
    key: str,
    req_hash: str,
    now: datetime,
    keep: timedelta,
) -> StoredResponse | None:
    """Claim the key for this request (None: go ahead), or answer from the stored row.

    Commits (or rolls back) ``session``'s current transaction: call it before doing the work. It uses
    the request's own session on purpose — a second connection would wait on SQLite's write lock
    held by the first.
    """
    row = {
        "scope": scope,
        "key": key,
        "request_hash": req_hash,
        "state": "running",
        "created_at": now,
        "expires_at": now + keep,
    }
    for _ in range(3):
        session.commit()
        try:
            if session.get_bind().dialect.name == "postgresql":
                # The claim need not wait for its own WAL flush: it is visible to other requests
                # at commit all the same, and the work's (synchronous) commit flushes the WAL up
                # to and past it. A crash before that loses the claim and the work together.
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            # A Core INSERT: the ORM's unit of work costs more CPU than the statement itself here.
            session.connection().execute(_INSERT_KEY, row)
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
        try:
            answer = _answer_from_existing(session, scope, key, req_hash, now)
        finally:
            session.commit()
        if answer is not _RETRY:
            return answer  # type: ignore[return-value]
    raise ProblemError(
        409, "The Idempotency-Key is contended; retry shortly.", slug="idempotency-key-in-use"
    )


_RETRY = object()


def _answer_from_existing(
    session: Session, scope: str, key: str, req_hash: str, now: datetime
) -> object:
    row = _existing(session, scope, key)
    if row is None:
        return _RETRY  # deleted meanwhile (released or expired)
    if row.expires_at <= now:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == row.id, IdempotencyKey.expires_at <= now
            )
        )
        return _RETRY
    if row.request_hash != req_hash:
        raise ProblemError(
            422,
            f"This {HEADER} was already used with a different request.",
            slug="idempotency-key-reused",
        )
    if row.state == "done":
        return StoredResponse(
            row.response_status or 200, row.response_body or b"", row.response_headers or {}
        )
    taken = session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == row.id,
            IdempotencyKey.state == "running",
            IdempotencyKey.created_at < now - LOCK_TIMEOUT,
        )
        .values(created_at=now)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return None
    raise ProblemError(
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        slug="idempotency-key-in-use",
        headers={"Retry-After": "1"},
    )


def complete(session: Session, scope: str, key: str, response: Response) -> None:
    """Record the answer in the caller's transaction (commit it together with the work)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    session.connection().execute(
        _COMPLETE,
        {
            "b_scope": scope,
            "b_key": key,
            "v_status": response.status_code,
            "v_body": bytes(response.body),
            "v_headers": headers,
        },
    )


def release(session: Session, scope: str, key: str) -> None:
    """Forget a claim whose work failed unexpectedly, so a retry can run (rolls back first)."""
    session.rollback()
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
            IdempotencyKey.state == "running",
        )
    )
    session.commit()


def purge_expired(session: Session, now: datetime) -> int:
    """Delete expired keys (``kiosk-central serve`` does it at start); returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
