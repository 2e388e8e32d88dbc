"""The outbox: what the kiosk has promised a citizen, kept on disk until central has it.

One SQLite file (WAL, synchronous=FULL) in the kiosk's data directory holds both the kiosk's local
state of each case (``local_cases``: reference, service, status — no answers) and the operations
still to send (``ops``), and every change writes both **in one transaction**: a case is never shown
to the citizen as submitted without its operation being on disk, and never sent without the kiosk
knowing it. Payloads (answers, events) are sealed with :class:`kiosk.outbox.crypto.RowCipher`; only
ids, kinds, counters and error reasons are in clear, so ``kiosk outbox`` can list the queue
without the key and without showing anyone's data.

Ordering: operations of one case are delivered strictly in ``seq`` order (the next waits for the
previous to be acknowledged); different cases never wait for each other. Funnel events
(:mod:`kiosk.outbox.funnel`) are one more such stream, under the pseudo case id ``funnel``. Rows are deleted once
central acknowledges them. A row that cannot be opened or parsed, or that central refuses for good,
moves to ``dead`` with the reason — it never blocks the rest, and it is kept (sealed) for staff.

Errors::

    OutboxError
     └── OutboxFull   the disk is full: the write was rolled back whole; nothing stored is lost
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.outbox.crypto import RowCipher, Undecryptable

__all__ = ["MAX_EVENTS_PER_BATCH", "Delivery", "Outbox", "OutboxError", "OutboxFull"]

MAX_EVENTS_PER_BATCH = 100  # central's limit for one append
BATCHED = frozenset({"events", "funnel"})
"""Kinds whose consecutive rows (of one case, or of the funnel stream) go out as one batch."""
_BURIED = object()  # _delivery's answer when the head row could not be opened

SCHEMA = """
CREATE TABLE IF NOT EXISTS local_cases(
    case_id TEXT PRIMARY KEY, reference TEXT NOT NULL, service_id TEXT NOT NULL,
    language TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS ops(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL,
    kind TEXT NOT NULL, sealed BLOB NOT NULL, created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0, last_error TEXT);
CREATE INDEX IF NOT EXISTS ops_by_case ON ops(case_id, seq);
CREATE TABLE IF NOT EXISTS dead(
    seq INTEGER PRIMARY KEY, op_id TEXT NOT NULL, case_id TEXT NOT NULL, kind TEXT NOT NULL,
    sealed BLOB NOT NULL, created_at REAL NOT NULL, failed_at REAL NOT NULL, reason TEXT NOT NULL);
"""


class OutboxError(Exception):
    pass


class OutboxFull(OutboxError):
    """The kiosk's disk is full; the operation was not stored (and nothing else was lost)."""


@dataclass(frozen=True)
class Delivery:
    """What the relay sends next for one case: a create, or a batch of events (several rows)."""

    case_id: str
    kind: str  # "create" | "events" | "resume_code" | "funnel"
    seqs: tuple[int, ...]
    payload: dict[str, Any]
    attempts: int


class Outbox:
    def __init__(
        self, path: Path | str, cipher: RowCipher | None, clock: Callable[[], float] = time.time
    ) -> None:
        """``cipher=None`` opens the outbox for listing only (``kiosk outbox`` needs no key)."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cipher = cipher
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                if "full" in str(exc).lower():
                    raise OutboxFull(f"the kiosk's disk is full ({self.path.parent})") from None
                raise
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _insert_op(self, db: sqlite3.Connection, case_id: str, kind: str, payload: Any) -> str:
        if self.cipher is None:
            raise OutboxError("this outbox was opened for listing only (no key)")
        op_id = str(uuid.uuid4())
        sealed = self.cipher.seal(op_id, json.dumps(payload, default=str).encode())
        db.execute(
            "INSERT INTO ops(op_id, case_id, kind, sealed, created_at) VALUES (?,?,?,?,?)",
            (op_id, case_id, kind, sealed, self.clock()),
        )
        return op_id

    # ------------------------------------------------------------------ writing
    def submit_case(
        self,
        *,
        case_id: str,
        reference: str,
        service_id: str,
        language: str,
        body: dict[str, Any],
        idempotency_key: str,
        events: list[dict[str, Any]] | None = None,
    ) -> None:
        """The case as submitted at the kiosk: local state, the create operation and any first
        events (e.g. "submitted"), all in one transaction."""
        now = self.clock()
        with self._tx() as db:
            db.execute(
                "INSERT INTO local_cases VALUES (?,?,?,?,?,?,?)",
                (case_id, reference, service_id, language, "queued", now, now),
            )
            self._insert_op(db, case_id, "create", {"body": body, "key": idempotency_key})
            if events:
                self._insert_op(db, case_id, "events", {"events": events})

    def add_events(
        self, case_id: str, events: list[dict[str, Any]], status: str | None = None
    ) -> None:
        """Events of a case the kiosk already knows (outcome chosen, help asked, feedback)."""
        if not 1 <= len(events) <= MAX_EVENTS_PER_BATCH:
            raise ValueError(f"1 to {MAX_EVENTS_PER_BATCH} events per operation")
        with self._tx() as db:
            row = db.execute("SELECT 1 FROM local_cases WHERE case_id=?", (case_id,)).fetchone()
            if row is None:
                raise OutboxError(f"no local case {case_id}")
            if status is not None:
                db.execute(
                    "UPDATE local_cases SET status=?, updated_at=? WHERE case_id=?",
                    (status, self.clock(), case_id),
                )
            self._insert_op(db, case_id, "events", {"events": events})

    def add_resume_code(self, case_id: str, body: dict[str, Any]) -> None:
        """A resume code this kiosk made for a slip it printed offline (code + second factor,
        sealed like answers): the relay registers it at central after the case's earlier rows."""
        with self._tx() as db:
            if (
                db.execute("SELECT 1 FROM local_cases WHERE case_id=?", (case_id,)).fetchone()
                is None
            ):
                raise OutboxError(f"no local case {case_id}")
            self._insert_op(db, case_id, "resume_code", {"body": body})

    def adopt_case(
        self,
        *,
        case_id: str,
        reference: str,
        service_id: str,
        language: str,
        events: list[dict[str, Any]],
        if_match: str | None = None,
    ) -> None:
        """A case central already has (resumed from a slip): known locally from now on, and its
        new events queued behind anything already queued for it — one transaction. ``if_match``:
        the ETag the events are sent under (they change answers read at that version)."""
        if not 1 <= len(events) <= MAX_EVENTS_PER_BATCH:
            raise ValueError(f"1 to {MAX_EVENTS_PER_BATCH} events per operation")
        now = self.clock()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO local_cases VALUES (?,?,?,?,?,?,?)",
                (case_id, reference, service_id, language, "sent", now, now),
            )
            payload: dict[str, Any] = {"events": events}
            if if_match:
                payload["if_match"] = if_match
            self._insert_op(db, case_id, "events", payload)

    # ------------------------------------------------------------------ the relay's side
    def due(self, limit: int = 50) -> list[Delivery]:
        """The next delivery of each case whose head operation is due, oldest case first.
        Rows that cannot be opened are moved to ``dead`` on the way (never returned)."""
        now = self.clock()
        with self._lock:
            heads = self._db.execute(
                "SELECT o.case_id, o.seq FROM ops o JOIN (SELECT case_id, MIN(seq) AS seq FROM ops "
                "GROUP BY case_id) h ON o.seq = h.seq WHERE o.next_at <= ? ORDER BY o.seq LIMIT ?",
                (now, limit),
            ).fetchall()
        out: list[Delivery] = []
        for case_id, head in heads:
            seq: int | None = head
            while seq is not None:
                delivery = self._delivery(case_id, seq)
                if delivery is not _BURIED:
                    if delivery is not None:
                        out.append(delivery)
                    break
                seq = self._head(case_id, now)  # the unreadable row is gone: the next moves up
        return out

    def _head(self, case_id: str, now: float) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT seq, next_at FROM ops WHERE case_id=? ORDER BY seq LIMIT 1", (case_id,)
            ).fetchone()
        return row[0] if row is not None and row[1] <= now else None

    def _delivery(self, case_id: str, head: int) -> Delivery | object | None:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, op_id, kind, sealed, attempts FROM ops WHERE case_id=? AND seq>=? "
                "ORDER BY seq LIMIT ?",
                (case_id, head, MAX_EVENTS_PER_BATCH),
            ).fetchall()
        seqs: list[int] = []
        events: list[dict[str, Any]] = []
        if_match: str | None = None
        for seq, op_id, kind, sealed, attempts in rows:
            if seqs and kind != rows[0][2]:
                break
            if self.cipher is None:
                raise OutboxError("this outbox was opened for listing only (no key)")
            try:
                payload = json.loads(self.cipher.open(op_id, sealed))
                if not isinstance(payload, dict):
                    raise ValueError("payload is not an object")
            except (Undecryptable, ValueError, UnicodeDecodeError) as exc:
                if seqs:
                    break  # deliver what opened; the bad row becomes the next head
                self.bury((seq,), f"unreadable row: {exc}")
                return _BURIED
            if kind not in BATCHED:  # "create" or "resume_code": one row each
                return Delivery(case_id, kind, (seq,), payload, attempts)
            if len(events) + len(payload.get("events", [])) > MAX_EVENTS_PER_BATCH and seqs:
                break
            if seqs and payload.get("if_match"):
                break  # sent under its own If-Match, at the head of a batch
            if not seqs and payload.get("if_match"):
                if_match = payload["if_match"]
            seqs.append(seq)
            events += payload.get("events", [])
        if not seqs:
            return None
        merged: dict[str, Any] = {"events": events}
        if if_match:
            merged["if_match"] = if_match
        return Delivery(case_id, rows[0][2], tuple(seqs), merged, rows[0][4])

    def next_after(self, delivery: Delivery) -> Delivery | None:
        """The same case's next delivery after ``delivery`` (which central has just acknowledged,
        its rows not yet deleted): lets the relay carry on with a case without waiting for the
        next round. None when there is none, or when the next row had to be set aside."""
        found = self._delivery(delivery.case_id, max(delivery.seqs) + 1)
        return found if isinstance(found, Delivery) else None

    def ack(
        self, delivery: Delivery, status: str | None = None, reference: str | None = None
    ) -> None:
        """Central has it: delete the rows (and note the case's status/reference locally)."""
        self.ack_many([(delivery, status, reference)])

    def ack_many(self, acks: Sequence[tuple[Delivery, str | None, str | None]]) -> None:
        """:meth:`ack` for several deliveries in one transaction (one fsync for a relay round).
        Acknowledging late is always safe: a row not yet deleted is at worst sent again, and
        central answers that as a replay."""
        if not acks:
            return
        now = self.clock()
        with self._tx() as db:
            for delivery, status, reference in acks:
                db.executemany("DELETE FROM ops WHERE seq=?", [(s,) for s in delivery.seqs])
                if status is not None:
                    db.execute(
                        "UPDATE local_cases SET status=?, updated_at=?, "
                        "reference=COALESCE(?, reference) WHERE case_id=?",
                        (status, now, reference, delivery.case_id),
                    )

    def retry_later(self, delivery: Delivery, error: str, delay_s: float) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE ops SET attempts=attempts+1, next_at=?, last_error=? WHERE seq=?",
                (self.clock() + delay_s, error[:300], delivery.seqs[0]),
            )

    def bury(self, seqs: tuple[int, ...], reason: str) -> None:
        """Move rows to ``dead`` (kept sealed, with the reason); the case's next row moves up."""
        now = self.clock()
        with self._tx() as db:
            for seq in seqs:
                db.execute(
                    "INSERT INTO dead SELECT seq, op_id, case_id, kind, sealed, created_at, ?, ? "
                    "FROM ops WHERE seq=?",
                    (now, reason[:500], seq),
                )
                db.execute("DELETE FROM ops WHERE seq=?", (seq,))

    # ------------------------------------------------------------------ reading (no PII)
    def depth(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM ops").fetchone()[0])

    def oldest_age_s(self) -> float | None:
        with self._lock:
            oldest = self._db.execute("SELECT MIN(created_at) FROM ops").fetchone()[0]
        return None if oldest is None else max(0.0, self.clock() - oldest)

    def pending(self) -> list[dict[str, Any]]:
        return self._listing(
            "SELECT o.seq, o.case_id, c.reference, o.kind, o.attempts, o.created_at, o.last_error "
            "FROM ops o LEFT JOIN local_cases c USING(case_id) ORDER BY o.seq",
            ("seq", "case_id", "reference", "kind", "attempts", "created_at", "last_error"),
        )

    def dead_letters(self) -> list[dict[str, Any]]:
        return self._listing(
            "SELECT d.seq, d.case_id, c.reference, d.kind, d.created_at, d.failed_at, d.reason "
            "FROM dead d LEFT JOIN local_cases c USING(case_id) ORDER BY d.seq",
            ("seq", "case_id", "reference", "kind", "created_at", "failed_at", "reason"),
        )

    def local_case(self, case_id: str) -> dict[str, Any] | None:
        rows = self._listing(
            "SELECT case_id, reference, service_id, language, status FROM local_cases "
            "WHERE case_id=?",
            ("case_id", "reference", "service_id", "language", "status"),
            (case_id,),
        )
        return rows[0] if rows else None

    def _listing(
        self, query: str, names: tuple[str, ...], params: tuple[Any, ...] = ()
    ) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [dict(zip(names, row, strict=True)) for row in rows]
