"""Attempt limits kept in the database: per client (typed codes, slip codes, staff logins) and per
staff account (the login lockout).

One row per key in ``attempt_counters`` (:class:`central.handoff.models.AttemptCounter`), the key
stored as a SHA-256 (a pseudonym, not anonymisation: rows go a day after their window, see
:mod:`central.retention`). ``limit`` attempts in ``window`` seconds; the attempt that reaches the
limit locks the key for ``lockout`` seconds (``window`` unless given) — nothing is checked for it
until then. Everything lives in the database and every change is one atomic statement, so the
limits hold across any number of server processes and nodes (the house rule: no limit that
correctness depends on lives in a process's memory):

* :meth:`AttemptLimiter.take` reserves an attempt **before** the secret is checked — one
  ``INSERT … ON CONFLICT DO UPDATE … WHERE not locked RETURNING`` (PostgreSQL and SQLite ≥ 3.35),
  committed at once. No row back: locked, nothing counted, nothing checked. Parallel requests can
  never get more than ``limit`` attempts through, whatever "check first, count later" would allow.
* :meth:`AttemptLimiter.hit` counts a failure where nothing secret was checked (a malformed
  request): the same statement, in the caller's transaction — the route commits it (the request's
  transaction owner, :mod:`central.deps`). Only :meth:`take` commits by itself: a reservation must
  hold before the secret is compared, as the group-commit writers own their batches.
* :meth:`AttemptLimiter.give_back` returns the attempt of a success (and lifts a lock that only the
  success's own attempt had set): callers count *failed* attempts only, so many citizens behind one
  office NAT address are never blocked by each other's successes.
* :meth:`AttemptLimiter.reset` forgets a key (a staff login that succeeded; an admin's unlock).

Clients are keyed by :func:`address_key`: an IPv6 client by its /64, the prefix one subscriber
gets, so rotating through the 2⁶⁴ addresses of one's own network gets no fresh limits.
The clock is injected (``now`` on every call, or ``clock``), so tests never sleep.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.db.types import UTCDateTime, utcnow
from central.handoff.models import AttemptCounter

COUNTERS = AttemptCounter.__table__
KEY_PURPOSE = "attempt-key"


def address_key(host: str | None) -> str:
    """The limiter's name for a client address: IPv4 as it is (an IPv4-mapped IPv6 address too),
    IPv6 by its /64; anything unparsable as it is (test clients, unix sockets)."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def _aware(value: datetime | float) -> datetime:
    """Clocks may give an aware datetime or POSIX seconds (a float is easier to step in a test)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(value, UTC)


class AttemptLimiter:
    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], datetime | float] = utcnow,
        *,
        lockout: float | None = None,
        scope: str = "",
    ) -> None:
        if limit < 1 or window <= 0 or (lockout is not None and lockout <= 0):
            raise ValueError("limit must be >= 1, window and lockout > 0")
        self.limit = limit
        self.window = window
        self.lockout = window if lockout is None else lockout
        self._clock = clock
        self.scope = scope
        """Mixed into every key's hash: limiters of one database with different scopes count
        apart (tests sharing a database; production uses the default, the same on every node)."""

    def key_hash(self, key: str) -> str:
        return hashlib.sha256(f"{KEY_PURPOSE}\x00{self.scope}\x00{key}".encode()).hexdigest()

    def _now(self, now: datetime | None) -> datetime:
        return now if now is not None else _aware(self._clock())

    def take(self, session: Session, key: str, now: datetime | None = None) -> float | None:
        """Reserve one attempt of ``key`` and **commit** (the session must hold nothing else):
        None when taken — check the secret now; else the seconds until one can be, and nothing
        was counted. The one commit in this module: the reservation must hold across processes
        and nodes before anything secret is compared, whatever the request does next."""
        now = self._now(now)
        taken = self._count(session, key, now)
        session.commit()
        if taken is not None:
            return None
        # Refused, even if a give-back has lifted the lock since: nothing was reserved.
        return self._wait(self.locked_until(session, key, now), now) or 1.0

    def _count(self, session: Session, key: str, now: datetime) -> int | None:
        """One attempt more for ``key`` unless it is locked (one atomic upsert, not committed):
        the attempts now counted, or None when it was locked and nothing was counted."""
        digest = self.key_hash(key)
        lock_end = literal(now + timedelta(seconds=self.lockout), UTCDateTime())
        at_now = literal(now, UTCDateTime())
        cutoff = now - timedelta(seconds=self.window)
        c = COUNTERS.c
        stale = or_(
            and_(c.locked_until.is_(None), c.window_start <= cutoff),
            and_(c.locked_until.is_not(None), c.locked_until <= now),
        )
        failures = case((stale, 1), else_=c.failures + 1)
        dialect = session.get_bind().dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        stmt = (
            insert(COUNTERS)
            .values(
                key_hash=digest,
                failures=1,
                window_start=now,
                locked_until=(now + timedelta(seconds=self.lockout)) if self.limit <= 1 else None,
            )
            .on_conflict_do_update(
                index_elements=[c.key_hash],
                set_={
                    "failures": failures,
                    "window_start": case((stale, at_now), else_=c.window_start),
                    "locked_until": case((failures >= self.limit, lock_end), else_=None),
                },
                where=or_(c.locked_until.is_(None), c.locked_until <= now),
            )
            .returning(c.failures)
        )
        counted: int | None = session.execute(stmt).scalar_one_or_none()
        return counted

    def give_back(self, session: Session, key: str, now: datetime | None = None) -> None:
        """A success: the attempt :meth:`take` reserved was not a failure. In the session's
        transaction (the caller commits)."""
        c = COUNTERS.c
        left = c.failures - 1
        session.execute(
            update(COUNTERS)
            .where(c.key_hash == self.key_hash(key), c.failures > 0)
            .values(failures=left, locked_until=case((left >= self.limit, c.locked_until)))
        )

    def reset(self, session: Session, key: str) -> bool:
        """Forget ``key``'s attempts and lift its lock (the caller commits); True when there was
        anything to forget."""
        gone = session.execute(delete(COUNTERS).where(COUNTERS.c.key_hash == self.key_hash(key)))
        return bool(gone.rowcount)

    def locked_until(
        self, session: Session, key: str, now: datetime | None = None
    ) -> datetime | None:
        """When ``key`` may try again, if it is locked now."""
        now = self._now(now)
        until = session.scalar(
            select(COUNTERS.c.locked_until).where(COUNTERS.c.key_hash == self.key_hash(key))
        )
        return until if until is not None and until > now else None

    def check(self, session: Session, key: str, now: datetime | None = None) -> float | None:
        """Counts nothing: None when ``key`` may try now, else the seconds until it may."""
        now = self._now(now)
        return self._wait(self.locked_until(session, key, now), now)

    def hit(self, session: Session, key: str, now: datetime | None = None) -> float | None:
        """Count one failed attempt that was not reserved first (where nothing secret was
        checked, e.g. a malformed request), in the session's transaction: the caller commits.
        None when it was counted; else the seconds ``key`` stays locked (nothing counted)."""
        now = self._now(now)
        if self._count(session, key, now) is not None:
            return None
        return self._wait(self.locked_until(session, key, now), now) or 1.0

    @staticmethod
    def _wait(until: datetime | None, now: datetime) -> float | None:
        if until is None:
            return None
        return float(max(1, math.ceil((until - now).total_seconds())))


def purge_before(cutoff: datetime) -> Any:
    """The DELETE of counters that neither count nor lock anything since ``cutoff``."""
    c = COUNTERS.c
    return delete(COUNTERS).where(
        c.window_start < cutoff, or_(c.locked_until.is_(None), c.locked_until < cutoff)
    )


SlidingWindowLimiter = AttemptLimiter
"""The name from when the limiter lived in each process's memory (a sliding window per process);
kept so callers and tests written against it keep working. New code uses :class:`AttemptLimiter`."""
