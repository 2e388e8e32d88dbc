"""Group commit for ORM work: many requests' units of work, one writer thread, one transaction.

Why: a sync endpoint pays a thread-pool hop and a transaction of its own, and on SQLite every
transaction takes the process's write lock — 50 concurrent clients became a convoy of threads
handing that lock (and the GIL) to each other. :mod:`central.case_create` solved it for creates with
Core statements written for batches; this does the same for code written against a
:class:`~sqlalchemy.orm.Session` (the handoff service) without rewriting it: an async route hands a
function ``work(session) -> result`` to :meth:`SessionWriter.run`, and the writer runs the queued
functions one after another in one session, each inside its own SAVEPOINT, then commits once.

* Each function sees the effects of the ones before it (they run in order, as if serially), so a
  claim's ``UPDATE ... WHERE claimed_at IS NULL`` still lets exactly one of two claims win.
* An exception raised by a function (a refusal: ``ProblemError``, ``HandoffError``, a unique
  constraint) rolls back its savepoint only; the caller gets that exception, after the commit.
* A failure of the transaction itself (database away, commit failed) goes to every caller of the
  batch, and no caller gets a result for work that was not committed.
* The functions must not call ``session.commit()``/``rollback()`` (that would end the batch's
  transaction) and must return plain values or objects they do not touch after the commit
  (sessions here do not expire objects on commit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from central.groupcommit import GroupCommit, WriterBusy, worth_rerunning

R = TypeVar("R")
INTEGRITY_RETRIES = 3
Work = Callable[[Session], Any]


@dataclass(frozen=True, slots=True)
class _Raised:
    error: BaseException


class WriteFailed(Exception):
    """The batch's transaction failed (database away, commit refused): nothing was stored."""


class SessionWriter:
    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        refusals: tuple[type[BaseException], ...] | None = None,
        **options: Any,
    ) -> None:
        """``refusals``: when given, the works promise to raise these only *before* writing
        anything, so no savepoint is needed around them (two statements fewer per work); any
        other exception fails the whole batch, and the group-commit writer then runs an
        integrity or data error's items one by one, each in a transaction of its own."""
        self._factory = factory
        self.refusals = refusals
        self.writer: GroupCommit[Work, Any] = GroupCommit(
            self._write_batch, name="session-writer", **options
        )

    async def run(self, work: Callable[[Session], R]) -> R:
        """``work(session)`` committed with its batch; its own exception is raised here.
        Raises :class:`WriterBusy` (nothing queued) or :class:`WriteFailed` (nothing stored)."""
        try:
            outcome = await self.writer.submit(work)
        except WriterBusy:
            raise
        except Exception as exc:  # noqa: BLE001 - the transaction's failure, not the work's
            raise WriteFailed(f"{type(exc).__name__} while committing") from exc
        if isinstance(outcome, _Raised):
            raise outcome.error
        return outcome  # type: ignore[no-any-return]

    def _write_batch(self, batch: Sequence[Work]) -> list[Any]:
        """One transaction for ``batch``; run again (fresh transaction, the works re-run) when a
        unique constraint refused it — a random id that happened to be taken draws anew — or two
        writers deadlocked (PostgreSQL)."""
        for attempt in range(INTEGRITY_RETRIES):
            try:
                return self._write_once(batch)
            except DBAPIError as exc:
                if attempt == INTEGRITY_RETRIES - 1 or not worth_rerunning(exc):
                    raise
        raise AssertionError("unreachable")

    def _write_once(self, batch: Sequence[Work]) -> list[Any]:
        results: list[Any] = []
        with self._factory() as session:
            for work in batch:
                if self.refusals is not None:
                    try:
                        results.append(work(session))
                    except self.refusals as exc:  # raised before writing: nothing to undo
                        results.append(_Raised(exc))
                    continue
                try:
                    with session.begin_nested():
                        results.append(work(session))
                except Exception as exc:  # noqa: BLE001 - this caller's refusal, after the commit
                    results.append(_Raised(exc))
            session.commit()
        return results
