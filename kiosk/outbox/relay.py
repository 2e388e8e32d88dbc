"""The relay: a thread that moves the outbox to central, at least once, in order per case.

At least once + central's idempotency (the create's Idempotency-Key, every event's event_id) =
exactly once in effect: a crash after central stored an operation but before the kiosk deleted its
row only makes the next attempt a replay, which central answers without storing twice.

What it does with each answer:

* delivered (or a replay)   → row deleted; the local case marked ``sent``;
* Offline (no usable answer) → this case waits with full-jitter backoff, and the round ends: when
  central is down, hammering it with every other case helps nobody;
* Rejected / Conflict        → central will never take this row as it is: it moves to ``dead`` with
  central's problem title (no PII), and the case's next row becomes the head;
* Unauthorised               → the kiosk's token is wrong or revoked: nothing is sent until an
  operator fixes it (``paused``); rows wait, nothing is lost.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.link.errors import Offline, Rejected, Unauthorised
from kiosk.outbox.store import Delivery, Outbox

__all__ = ["CaseSender", "Relay", "RelayStatus"]

log = logging.getLogger(__name__)

CHAIN = 8
"""Deliveries of one case sent back to back in one round (see ``Relay._deliver_case``)."""
Ack = tuple[Delivery, str | None, str | None]
"""A delivery central acknowledged, with the case's new local status and reference."""


class CaseSender(Protocol):
    def create_case(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...
    def append_events(
        self, case_id: str, events: list[dict[str, Any]], if_match: str | None = None
    ) -> dict[str, Any]: ...
    def create_resume_code(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def post_funnel(self, events: list[dict[str, Any]]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RelayStatus:
    state: str  # idle | sending | offline | paused
    depth: int
    oldest_age_s: float | None
    delivered: int
    dead: int
    last_error: str | None


class Relay:
    def __init__(
        self,
        outbox: Outbox,
        sender: CaseSender,
        *,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 60.0,
        idle_poll_s: float = 2.0,
        unauthorised_retry_s: float = 300.0,
        rng: random.Random | None = None,
        workers: int = 1,
    ) -> None:
        self.workers = max(1, workers)
        self._executor: ThreadPoolExecutor | None = None
        self.outbox = outbox
        self.sender = sender
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.idle_poll_s = idle_poll_s
        self.unauthorised_retry_s = unauthorised_retry_s
        self.rng = rng or random.Random()
        self.state = "idle"
        self.delivered = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="outbox-send")
        return self._executor

    def wake(self) -> None:
        """Something new is in the outbox (or the network is back): look now."""
        self._wake.set()

    def status(self) -> RelayStatus:
        return RelayStatus(
            self.state,
            self.outbox.depth(),
            self.outbox.oldest_age_s(),
            self.delivered,
            len(self.outbox.dead_letters()),
            self.last_error,
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive any one failure
                log.error("outbox relay round failed: %s", type(exc).__name__)
                self.last_error = type(exc).__name__
                sent = 0
            if sent == 0:
                self._wake.wait(self.idle_poll_s)
                self._wake.clear()

    # ------------------------------------------------------------------ one round
    def run_once(self) -> int:
        """Deliver every due head once; returns how many deliveries central acknowledged.

        With ``workers`` > 1, heads of different cases go out in parallel (a case never has two
        deliveries in flight: ``due()`` gives one head per case). A case whose delivery central
        acknowledged goes on with its next one at once (:meth:`_deliver_case`). Creates and
        events are acknowledged together at the end of the round (:meth:`Outbox.ack_many`, one
        commit): a crash before that only makes the next attempt a replay, which central
        answers without storing twice."""
        deliveries = self.outbox.due(limit=max(50, 8 * self.workers))
        acks: list[Ack] = []
        runs: list[list[str]] = []
        try:
            if self.workers > 1 and len(deliveries) > 1:
                runs = list(self._pool().map(lambda d: self._deliver_case(d, acks), deliveries))
            else:
                for delivery in deliveries:
                    if self._stop.is_set():
                        break
                    runs.append(self._deliver_case(delivery, acks))
                    if runs[-1][-1] == "stop":
                        break
        finally:
            self.outbox.ack_many(acks)
        sent = sum(run.count("sent") for run in runs)
        if sent and self.state != "paused":
            self.state = "idle" if self.outbox.depth() == 0 else "sending"
        return sent

    def _deliver_case(self, d: Delivery, acks: list[Ack]) -> list[str]:
        """``d``, then - while central acknowledges - the case's next deliveries, one after the
        other (never two of a case at once; at most :data:`CHAIN` per round, so one busy case
        cannot hold a worker): a case's create and its events go out in the same round."""
        outcomes = [self._deliver(d, acks)]
        while outcomes[-1] == "sent" and len(outcomes) < CHAIN and not self._stop.is_set():
            nxt = self.outbox.next_after(d)
            if nxt is None:
                break
            d = nxt
            outcomes.append(self._deliver(d, acks))
        return outcomes

    def _deliver(self, d: Delivery, acks: list[Ack]) -> str:
        try:
            body, key, events = _parts(d)
        except (KeyError, TypeError, ValueError) as exc:
            self.outbox.bury(d.seqs, f"malformed row: {type(exc).__name__}")
            return "dead"
        try:
            if d.kind == "create":
                case = self.sender.create_case(body, key)
                acks.append((d, "sent", case.get("reference")))
            elif d.kind == "funnel":  # measurement (kiosk.outbox.funnel): refusals are per event
                self.sender.post_funnel(events)
                acks.append((d, None, None))
            elif d.kind == "resume_code":  # a slip's code made offline; 409 = taken → dead row
                self.sender.create_resume_code(d.case_id, body)
                acks.append((d, None, None))
            elif (if_match := d.payload.get("if_match")) and isinstance(if_match, str):
                self.sender.append_events(d.case_id, events, if_match=if_match)
                acks.append((d, None, None))
            else:
                self.sender.append_events(d.case_id, events)
                acks.append((d, None, None))
        except Offline as exc:
            delay = self.rng.uniform(
                0, min(self.backoff_cap_s, self.backoff_base_s * 2**d.attempts)
            )
            delay = max(delay, exc.retry_after or 0.0)
            self.outbox.retry_later(d, exc.detail, delay)
            self.state, self.last_error = "offline", exc.detail
            return "stop"
        except Unauthorised as exc:
            self.outbox.retry_later(d, exc.detail, self.unauthorised_retry_s)
            self.state, self.last_error = (
                "paused",
                f"central refused this kiosk's token ({exc.status})",
            )
            log.error("outbox paused: central refused the device token (%s)", exc.status)
            return "stop"
        except Rejected as exc:
            slug = str(exc.problem.get("type", "")).rsplit("/", 1)[-1]
            reason = f"central refused it: {exc.status} {slug}".strip()
            self.outbox.bury(d.seqs, reason)
            self.last_error = reason
            log.warning("outbox row of kind %s moved to dead letters: %s", d.kind, reason)
            return "dead"
        self.delivered += 1
        self.last_error = None
        if self.state in ("offline", "paused"):
            self.state = "sending"
        return "sent"


def _parts(d: Delivery) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    """The payload's pieces, checked: a row that opens but is not what we wrote is refused here."""
    if d.kind == "create":
        body, key = d.payload["body"], d.payload["key"]
        if not isinstance(body, dict) or not isinstance(key, str) or not key:
            raise ValueError("create row without a body and a key")
        return body, key, []
    if d.kind == "resume_code":
        body = d.payload["body"]
        if not isinstance(body, dict) or not isinstance(body.get("code"), str):
            raise ValueError("resume_code row without a body holding the code")
        return body, "", []
    events = d.payload["events"]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ValueError("events row without a list of events")
    return {}, "", events
