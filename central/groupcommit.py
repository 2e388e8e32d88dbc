"""Group commit: many requests, one writer thread, one transaction per batch.

Why: a heartbeat is a tiny write, and what it costs is the transaction around it — on SQLite the
process-wide write lock, ``BEGIN IMMEDIATE`` and the WAL commit; on PostgreSQL a round trip and a WAL
flush. One request per transaction, 50 threads queueing for that lock, kept the fleet of 10,000 kiosks
(~333 beats/s) out of reach. Here async request handlers hand their item to :meth:`GroupCommit.submit`
and await a future; one writer thread takes whatever is queued (up to ``max_batch``), writes it in
one transaction and resolves every future of the batch **only after the commit** — so a caller that
gets a result knows its item is stored. Batches form by themselves: while one commits, the next
fills; at low load a batch is one item and adds no delay.

Failure: if the batch transaction fails with an error that may belong to one item (an integrity or
data error, or a value Python could not bind or serialise — :func:`may_be_one_items`), each item is
retried alone so only the offending callers get the error: one client's bad request never fails
another's. Any other error (database down, lock timeout) goes to every caller of the batch. Nobody gets a result for an
item that was not committed.

Back-pressure: at most ``max_pending`` items wait; beyond that :class:`WriterBusy` is raised at once
(a 503 with Retry-After upstream) instead of queueing without bound while the database is away.

The thread starts on the first item and exits after ``idle_s`` without work (restarted on the next),
so an app needs no start/stop hook and a test that builds many apps leaves no threads behind. One
thread per writer: measured on PostgreSQL, a second one gave smaller batches, more commits and no
more throughput (386 against 402 handoff pairs/s) once a batch's statements were batched.

Exceptions::

    Exception
    ├── WriterBusy          too many items waiting; nothing was queued
    └── (whatever ``write`` raised, handed to the callers of the failed batch/item)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("central.groupcommit")

ITEM_ERRORS: tuple[type[BaseException], ...] = (IntegrityError, DataError)
"""Database errors that may be caused by a single item of a batch: retry the items one by one."""
VALUE_ERRORS: tuple[type[BaseException], ...] = (
    StatementError,  # (not a DBAPIError) a parameter could not be bound: a datetime out of range
    ValueError,  # includes UnicodeError: text that cannot be encoded
    TypeError,
    ArithmeticError,  # OverflowError
)
"""Errors raised before the database saw a statement: one item's values, not the database."""


def may_be_one_items(exc: BaseException) -> bool:
    """Could one item of the batch alone have caused ``exc``? Then the batch is split."""
    if isinstance(exc, ITEM_ERRORS):
        return True
    return not isinstance(exc, DBAPIError) and isinstance(exc, VALUE_ERRORS)


RETRY_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL's deadlock_detected and serialization_failure: run the batch again."""


RUNS = 3
"""Runs of a batch (fresh reads, new random draws) before its callers get the error (a 503)."""


def write_rerunning(engine: Engine, write: Callable[[Connection], R], what: str) -> R:
    """``write(conn)`` in a transaction of its own, committed when this returns; run again, in a
    new transaction, when :func:`worth_rerunning` says so — at most :data:`RUNS` times in all.
    ``what`` names the batch in the log line of a rerun."""
    for attempt in range(RUNS):
        try:
            with engine.begin() as conn:
                return write(conn)
        except DBAPIError as exc:
            if attempt == RUNS - 1 or not worth_rerunning(exc):
                raise
            log.warning("%s run again: %s", what, type(exc).__name__)
    raise AssertionError("unreachable")


def worth_rerunning(exc: BaseException) -> bool:
    """A batch refused by a unique constraint (a concurrent writer, a random id drawn twice) or by
    a deadlock between two writers: running it again, in a new transaction, may well succeed."""
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRY_SQLSTATES


class WriterBusy(Exception):
    """More than ``max_pending`` items are waiting; the item was not queued."""


@dataclass(slots=True)
class _Pending(Generic[T, R]):
    item: T
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]


def _settle(outcomes: list[tuple[asyncio.Future[R], R | None, BaseException | None]]) -> None:
    """Runs on the caller's event loop: set each future (unless its caller gave up)."""
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]


class GroupCommit(Generic[T, R]):
    """``write(items) -> results`` runs on the writer thread, one transaction per call; it must
    commit before returning and return one result per item, in order."""

    def __init__(
        self,
        write: Callable[[Sequence[T]], list[R]],
        *,
        max_batch: int = 500,
        max_pending: int = 20_000,
        idle_s: float = 5.0,
        name: str = "group-commit",
    ) -> None:
        self._write = write
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.idle_s = idle_s
        self.name = name
        self._queue: queue.SimpleQueue[_Pending[T, R]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._pending = 0
        self.batches = 0
        """Transactions committed (for tests and figures)."""

    async def submit(self, item: T) -> R:
        """Queue ``item`` and wait until the batch holding it is committed (or failed)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        with self._lock:
            if self._pending >= self.max_pending:
                raise WriterBusy(f"{self._pending} items waiting")
            self._pending += 1
            self._queue.put(_Pending(item, loop, future))
            if self._threads == 0:
                self._threads += 1
                threading.Thread(target=self._run, name=self.name, daemon=True).start()
        return await future

    def _next_batch(self) -> list[_Pending[T, R]] | None:
        try:
            first = self._queue.get(timeout=self.idle_s)
        except queue.Empty:
            with self._lock:  # submit() puts under this lock: no item can slip past the exit
                if self._queue.empty():
                    self._threads -= 1
                    return None
            return []
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        clean = False
        try:
            while (batch := self._next_batch()) is not None:
                if batch:
                    outcomes = self._commit(batch)
                    with self._lock:
                        self._pending -= len(batch)
                    self._hand_back(batch, outcomes)
            clean = True  # _next_batch counted this thread out
        finally:  # a bug: never leave queued callers without a writer
            if not clean:
                with self._lock:
                    restart = not self._queue.empty()
                    if not restart:
                        self._threads -= 1
                if restart:
                    threading.Thread(target=self._run, name=self.name, daemon=True).start()

    def _commit(self, batch: list[_Pending[T, R]]) -> list[tuple[R | None, BaseException | None]]:
        items = [p.item for p in batch]
        try:
            results = self._write(items)
            with self._lock:
                self.batches += 1
            return [(r, None) for r in results]
        except Exception as exc:  # noqa: BLE001 - split, or handed to every caller (a 503)
            if not may_be_one_items(exc):
                log.error("batch of %d failed: %s", len(batch), type(exc).__name__)
                return [(None, exc)] * len(batch)
            if len(batch) == 1:
                return [(None, exc)]
            log.warning(
                "batch of %d failed (%s); retrying one by one", len(batch), type(exc).__name__
            )
        outcomes: list[tuple[R | None, BaseException | None]] = []
        for item in items:
            try:
                outcomes.append((self._write([item])[0], None))
                with self._lock:
                    self.batches += 1
            except Exception as exc:  # noqa: BLE001 - this caller's error only
                outcomes.append((None, exc))
        return outcomes

    @staticmethod
    def _hand_back(
        batch: list[_Pending[T, R]], outcomes: list[tuple[R | None, BaseException | None]]
    ) -> None:
        """One wake-up per event loop per batch (not per item): call_soon_threadsafe is costly."""
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for pending, (result, error) in zip(batch, outcomes, strict=True):
            by_loop.setdefault(pending.loop, []).append((pending.future, result, error))
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop is closed: its callers are gone
                loop.call_soon_threadsafe(_settle, settled)


WRITE_PATH_ENV = "KIOSK_CENTRAL_WRITE_PATH"
"""``batch`` (the default: :class:`GroupCommit`) or ``plain`` (:class:`OneByOne`) for the case
create and handoff writers — the switch ``bench/bench_peak.py --write-path`` measures (issue 16:
keep the batch writers only where the load needs them). Heartbeats always batch."""


class OneByOne(Generic[T, R]):
    """The plain path, with :class:`GroupCommit`'s interface: each :meth:`submit` runs
    ``write([item])`` — its own transaction, committed before it returns — on a worker thread,
    at most ``concurrency`` at once (more only queue for the same row locks and cores). Its
    errors reach only its caller; beyond ``max_pending`` waiting, :class:`WriterBusy` at once."""

    def __init__(
        self,
        write: Callable[[Sequence[T]], list[R]],
        *,
        concurrency: int = 6,
        max_pending: int = 20_000,
        name: str = "one-by-one",
        **_batch_options: object,
    ) -> None:
        self._write = write
        self._gate = threading.BoundedSemaphore(concurrency)
        self.max_pending = max_pending
        self.name = name
        self._lock = threading.Lock()
        self._pending = 0
        self.batches = 0
        """Transactions committed (one per item)."""

    def _one(self, item: T) -> R:
        with self._gate:
            result = self._write([item])[0]
        with self._lock:
            self.batches += 1
        return result

    async def submit(self, item: T) -> R:
        with self._lock:
            if self._pending >= self.max_pending:
                raise WriterBusy(f"{self._pending} items waiting")
            self._pending += 1
        try:
            return await asyncio.to_thread(self._one, item)
        finally:
            with self._lock:
                self._pending -= 1


def writer(
    write: Callable[[Sequence[T]], list[R]], *, name: str, **options: object
) -> GroupCommit[T, R]:
    """A group-commit writer, or the plain path when :data:`WRITE_PATH_ENV` says ``plain``."""
    if os.environ.get(WRITE_PATH_ENV, "batch") == "plain":
        return OneByOne(write, name=name, **options)  # type: ignore[return-value]
    return GroupCommit(write, name=name, **options)  # type: ignore[arg-type]
