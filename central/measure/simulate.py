"""``kiosk-central simulate``: a realistic stretch of funnel sessions on every channel, with its
ground truth, for the dashboard, the demo and the benchmark.

Volume goes through the **bulk path**, :func:`central.measure.record.record_events` called
directly in batches of :data:`BATCH` events per office (the function behind ``POST
/api/v1/funnel`` and the web and staff channels' recording: the same checks, deduplication and
rollups, without HTTP). Nothing personal is made up: a funnel event has no place for it.

What a day looks like (made to be plausible, not calibrated): offices ``<prefix>01…`` of three
sizes; every service on the channels its catalogue entry offers (``kiosk`` and ``assisted`` where
the kiosk is, ``web``, and ``counter``/``phone`` where staff offer it); kiosks, counters and phone
lines open 08:00–18:00 office-local time and closed on Sundays, the web open all hours (so some
web sessions cross midnight and count on the day they started); a session walks the service's
steps and may drop out at each one (kiosk: idle wipe or back to start, web: abandoned, staff:
rarely), be told it is not eligible (services with outcomes), be handed off (kiosk to phone or
staff, web to staff), or still be open when the run ends (no ``ended`` event). About one Welsh
session in five; accessibility features on some kiosk and web sessions.

Some ended sessions answer the one feedback question (more after a completion, happier too);
those answers are written as central's feedback fold writes them (:mod:`central.measure.feedback`:
raw rows of type ``feedback`` through :func:`central.measure.record.store_rows`), since a funnel
session here has no case to hang a ``feedback_given`` event on.

Deterministic: the same ``--seed`` makes the same sessions with the same event ids, so a second
run with the same arguments adds nothing (every event is a replay).

The ground truth (``--truth F``, default ``simulate-<seed>.json`` beside the working directory)
counts, per office × service × channel × office-local day, exactly what was sent: ``started``,
``completed``, ``ended`` by reason, ``steps`` reached, ``durations`` (histogram of
:data:`catalogue.funnel.DURATION_BUCKETS_S` per reason) and ``duration_ms`` per reason,
``languages``, ``features``, after-submission ``handoffs`` by route and ``feedback`` (answers
to the one question by score, on the day given); the test
(``tests/central/test_funnel_simulate.py``) recomputes every metric from it and compares.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from catalogue import funnel
from catalogue.model import Catalogue, Channel, Service
from central.measure.record import record_events, store_rows
from central.measure.schemas import FunnelEventIn
from central.measure.zones import OfficeZones

__all__ = ["BATCH", "simulate"]

BATCH = 500
OPEN, CLOSE = 8, 18
SIZES = (0.6, 1.0, 1.7)
"""Office sizes: small, medium, large (multiplies every rate)."""
SHARE = {"kiosk": 0.30, "assisted": 0.05, "web": 0.35, "counter": 0.20, "phone": 0.10}
"""Of an office's sessions of a service, the share each channel gets (where offered)."""
STEP_S = {"kiosk": 45, "assisted": 70, "web": 80, "counter": 100, "phone": 120}
DROP = {"kiosk": 0.06, "assisted": 0.02, "web": 0.08, "counter": 0.01, "phone": 0.02}
"""Probability of dropping out at each step."""
HANDOFF = {"kiosk": 0.04, "web": 0.03}
NOT_ELIGIBLE = 0.12
STILL_OPEN = 0.02
FEEDBACK = {"submitted": 0.3, "not_eligible": 0.25, "handed_off_phone": 0.1,
            "handed_off_staff": 0.15, "back_to_start": 0.1, "error": 0.1}  # fmt: skip
"""Of the sessions ended with a reason, the share that answer the one feedback question."""
SCORE_WEIGHTS = {True: (0.04, 0.07, 0.12, 0.40, 0.37), False: (0.25, 0.25, 0.2, 0.2, 0.1)}
"""Weights of scores 1–5 after a completion (True) or another ending (False)."""
ENDING = {"submitted": "completed", "not_eligible": "not_eligible",
          "handed_off_phone": "handed_off", "handed_off_staff": "handed_off"}  # fmt: skip


@dataclass
class Cell:
    started: int = 0
    completed: int = 0
    ended: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    steps: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    durations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    duration_ms: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    languages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    features: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    handoffs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    feedback: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _channels(service: Service) -> list[str]:
    offered = set(service.channels)
    out = []
    if Channel.KIOSK in offered:
        out += ["kiosk", "assisted"]
    if Channel.WEB in offered:
        out.append("web")
    if offered & {Channel.STAFF, Channel.COUNTER}:
        out.append("counter")
    if offered & {Channel.STAFF, Channel.PHONE}:
        out.append("phone")
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def _session(
    rng: random.Random,
    ids: _Ids,
    service: Service,
    channel: str,
    start: datetime,
    cell: Cell,
    last_moment: datetime,
    given: list[tuple[datetime, int, str]],
) -> list[FunnelEventIn]:
    sid = ids()
    base = {
        "session_id": sid,
        "service_id": service.id,
        "channel": channel,
        "started_at": start,
    }

    def event(kind: str, at: datetime, **fields: Any) -> FunnelEventIn:
        return FunnelEventIn(event_id=ids(), type=kind, occurred_at=at, **base, **fields)  # type: ignore[arg-type]

    language = "cy" if rng.random() < 0.2 else "en"
    features: list[str] = []
    if channel in ("kiosk", "web", "assisted"):
        features = [f for f in funnel.FEATURES if rng.random() < 0.04]
    out = [event("started", start, language=language, features=features)]
    cell.started += 1
    cell.languages[language] += 1
    for f in features:
        cell.features[f] += 1
    steps = funnel.step_ids(service)
    at, reason = start, None
    pace = rng.lognormvariate(0, 0.5)
    for index, step_id in enumerate(steps):
        at += timedelta(seconds=max(3, round(STEP_S[channel] * pace * rng.uniform(0.5, 1.5))))
        if at > last_moment:
            return out  # still going when the run ends: no end
        if index > 0 and rng.random() < DROP[channel]:
            reason = {
                "kiosk": rng.choice(("idle_wipe", "idle_wipe", "back_to_start")),
                "assisted": "back_to_start",
                "web": "abandoned_web",
            }.get(channel, "error")
            break
        if index > 0 and channel in HANDOFF and rng.random() < HANDOFF[channel] / len(steps):
            reason = rng.choice(("handed_off_phone", "handed_off_staff"))
            if channel == "web":
                reason = "handed_off_staff"
            break
        out.append(event("step", at, step_id=step_id, step_index=index))
        cell.steps[step_id] += 1
        if index == 0 and service.outcomes and rng.random() < NOT_ELIGIBLE:
            reason = "not_eligible"
            break
    if reason is None:
        if rng.random() < STILL_OPEN:
            return out
        reason = "submitted"
    if reason == "abandoned_web":  # ended by the drafts purge: at most 7 days after the start
        at = start + timedelta(seconds=funnel.MAX_DURATION_S)
    else:
        at += timedelta(seconds=rng.randrange(5, 40))
    if at > last_moment:
        return out
    ms = int((at - start).total_seconds() * 1000)
    out.append(event("ended", at, reason=reason, duration_ms=ms))
    cell.ended[reason] += 1
    cell.completed += reason in funnel.COMPLETED
    cell.duration_ms[reason] += ms
    cell.durations[f"{reason}:{funnel.bucket_of(ms / 1000):02d}"] += 1
    if reason == "submitted" and channel in ("kiosk", "assisted") and rng.random() < 0.05:
        route = rng.choice(funnel.HANDOFF_ROUTES)
        handoff_at = at + timedelta(seconds=10)
        if handoff_at <= last_moment:
            out.append(event("handoff", handoff_at, route=route))
            cell.handoffs[route] += 1
    if rng.random() < FEEDBACK.get(reason, 0.0):  # the one feedback question, answered
        weights = SCORE_WEIGHTS[reason in funnel.COMPLETED]
        score = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        given.append((at + timedelta(seconds=30), score, ENDING.get(reason, "abandoned")))
    return out


def sessions(
    catalogue: Catalogue,
    zones: OfficeZones,
    *,
    days: int,
    offices: int,
    seed: int,
    last_day: date,
    now: datetime,
    prefix: str = "SIM",
    rate: float = 40.0,
) -> Iterator[
    tuple[
        str,
        list[FunnelEventIn],
        dict[uuid.UUID, dict[str, Any]],
        dict[tuple[str, str, str, str], Cell],
    ]
]:
    """(office, its events, its folded feedback rows, its ground truth cells) per office,
    deterministic for ``seed``.
    ``rate``: sessions a medium office starts on a weekday, all services and channels together."""
    services = [s for s in catalogue.services.values() if s.steps]
    services.sort(key=lambda s: s.id)
    for number in range(1, offices + 1):
        office = f"{prefix}{number:02d}"
        rng = random.Random(f"{seed}:{number}")  # the prefix changes no session
        ids = _Ids(random.Random(f"{seed}:{office}:ids"))  # another prefix: other event ids
        size = SIZES[(number - 1) % len(SIZES)]
        zone = zones.zone(office)
        popular = {s.id: rng.uniform(0.4, 1.6) for s in services}
        total = sum(popular.values())
        cells: dict[tuple[str, str, str, str], Cell] = defaultdict(Cell)
        events: list[FunnelEventIn] = []
        feedback: dict[uuid.UUID, dict[str, Any]] = {}
        for offset in range(days - 1, -1, -1):
            day = last_day - timedelta(days=offset)
            for service in services:
                offered = _channels(service)
                share = sum(SHARE[c] for c in offered)
                for channel in offered:
                    closed = channel != "web" and day.weekday() == 6
                    weekend = 0.5 if day.weekday() >= 5 else 1.0
                    lam = rate * size * popular[service.id] / total * SHARE[channel] / share
                    for _ in range(0 if closed else _poisson(rng, lam * weekend)):
                        start = _local_start(rng, channel, day, zone)
                        key = (office, service.id, channel, zones.day(office, start).isoformat())
                        given: list[tuple[datetime, int, str]] = []
                        events += _session(
                            rng, ids, service, channel, start, cells[key], now, given
                        )
                        for at, score, ending in given:
                            if at > now:
                                continue
                            day_given = zones.day(office, at)
                            cells[(office, service.id, channel, day_given.isoformat())].feedback[
                                str(score)
                            ] += 1
                            fid = ids()
                            feedback[fid] = {
                                "event_id": fid,
                                "session_id": fid,
                                "type": "feedback",
                                "service_id": service.id,
                                "channel": channel,
                                "office": office,
                                "device_id": None,
                                "day": day_given,
                                "started_at": at,
                                "occurred_at": at,
                                "received_at": now,
                                "data": {"score": score, "ending": ending},
                            }
        yield office, events, feedback, cells


def _local_start(rng: random.Random, channel: str, day: date, zone: Any) -> datetime:
    if channel == "web":  # all hours, most in the evening
        hour = min(23, max(0, int(rng.gauss(19, 4))))
    else:
        hour = rng.randrange(OPEN, CLOSE)
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), zone)
    return local.astimezone(zone)


def _truth_rows(cells: dict[tuple[str, str, str, str], Cell]) -> list[dict[str, Any]]:
    rows = []
    for (office, service, channel, day), c in sorted(cells.items()):
        rows.append(
            {
                "office": office,
                "service": service,
                "channel": channel,
                "day": day,
                "started": c.started,
                "completed": c.completed,
                "ended": dict(sorted(c.ended.items())),
                "steps": dict(sorted(c.steps.items())),
                "durations": dict(sorted(c.durations.items())),
                "duration_ms": dict(sorted(c.duration_ms.items())),
                "languages": dict(sorted(c.languages.items())),
                "features": dict(sorted(c.features.items())),
                "handoffs": dict(sorted(c.handoffs.items())),
                "feedback": dict(sorted(c.feedback.items())),
            }
        )
    return rows


def simulate(
    engine: Engine,
    catalogue: Catalogue,
    zones: OfficeZones,
    *,
    days: int,
    offices: int,
    seed: int,
    last_day: date,
    now: datetime,
    truth: Path | None = None,
    prefix: str = "SIM",
    rate: float = 40.0,
) -> dict[str, Any]:
    """Make the sessions, record them in batches of :data:`BATCH` (one transaction each), write
    the ground truth to ``truth`` (JSON) and return it (with ``accepted``/``duplicates``)."""
    rows: list[dict[str, Any]] = []
    accepted = duplicates = refused = 0
    for office, events, feedback, cells in sessions(
        catalogue,
        zones,
        days=days,
        offices=offices,
        seed=seed,
        last_day=last_day,
        now=now,
        prefix=prefix,
        rate=rate,
    ):
        for i in range(0, len(events), BATCH):
            with engine.begin() as conn:
                out = record_events(
                    conn,
                    events[i : i + BATCH],
                    office=office,
                    device_id=None,
                    channels=frozenset(funnel.CHANNELS),
                    catalogue=catalogue,
                    zones=zones,
                    now=now,
                )
            accepted += out.accepted
            duplicates += out.duplicates
            refused += len(out.refused)
        answers = list(feedback.items())
        for i in range(0, len(answers), BATCH):
            with engine.begin() as conn:
                new = store_rows(conn, dict(answers[i : i + BATCH]))
            accepted += new
            duplicates += min(BATCH, len(answers) - i) - new
        rows += _truth_rows(cells)
    first = last_day - timedelta(days=days - 1)
    found = {
        "seed": seed,
        "days": days,
        "offices": [f"{prefix}{n:02d}" for n in range(1, offices + 1)],
        "first_day": first.isoformat(),
        "last_day": last_day.isoformat(),
        "sessions": sum(r["started"] for r in rows),
        "events": accepted + duplicates,
        "accepted": accepted,
        "duplicates": duplicates,
        "refused": refused,
        "cells": rows,
    }
    if truth is not None:
        truth.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return found
