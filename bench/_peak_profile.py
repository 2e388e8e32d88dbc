"""The load profile of bench/bench_peak.py: the four lines of "ten times a national peak", their
rates and the open loop that sends them (issue 16, "Tests and benchmark"; the method is in
bench_peak.py's docstring).

Open loop: request i of a line is due at start + i/rate and is sent then, whatever the server
answers; its latency runs from that due time, so a server (or a generator) falling behind shows in
the figures (no coordinated omission). A request unanswered in :data:`TIMEOUT_S` is an error.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _central_load import (  # noqa: E402 - the sibling module, found through the line above
    BEAT_S,
    FLEET,
    KEEP_ALIVE_S,
    WARMUP_S,
    RawConnection,
    split_base,
)

HEARTBEAT_RATE = FLEET / BEAT_S
CREATE_RATE = 300.0
PAIR_RATE = 100.0
STEP_RATE = 200.0
GOAL_P99_MS = 50.0
TIMEOUT_S = 10.0
"""A request unanswered this long counts as an error (status 0)."""
SESSION_REUSE_S = 10.0
"""Web sessions made: enough that each posts a step about every this many seconds."""
STEP = "about-you"


# ---------------------------------------------------------------- the open loop


class Pool:
    """Keep-alive connections to one address: an idle one if there is one, else a new one."""

    def __init__(self, base: str) -> None:
        self.host, self.port = split_base(base)
        self.idle: list[RawConnection] = []
        self.opened = 0

    def take(self) -> RawConnection:
        while self.idle:
            conn = self.idle.pop()
            if time.monotonic() - conn.last_used <= KEEP_ALIVE_S:
                return conn
            if conn.writer is not None:  # the server drops it any moment: so would a client
                conn.writer.close()
        self.opened += 1
        return RawConnection(self.host, self.port)

    async def send(
        self, path: str, data: bytes, ctype: str, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        conn = self.take()
        try:
            answer = await asyncio.wait_for(conn.send(path, data, ctype, headers), TIMEOUT_S)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            await conn.close()
            return 0, b""
        self.idle.append(conn)
        return answer

    async def close(self) -> None:
        for conn in self.idle:
            await conn.close()
        self.idle.clear()


@dataclass
class Stats:
    offered: float
    latencies: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    ok: int = 0
    errors: int = 0
    last_answer: float = 0.0

    def record(self, due: float, code: int, expected: int, counted: bool) -> None:
        now = time.monotonic()
        self.statuses[code] += 1
        if code == expected:
            self.ok += 1
        else:
            self.errors += 1
        if counted:
            self.latencies.append(now - due)
        self.last_answer = max(self.last_answer, now)


Fire = Callable[[int, float, bool], Awaitable[None]]
"""fire(i, due, counted): send request i of a line (due at ``due``) and record it."""


async def dispatch(rate: float, seconds: float, start: float, fire: Fire, late: list[float],
                   tasks: set[asyncio.Task[None]]) -> None:  # fmt: skip
    """Start request i at start + i/rate, never waiting for earlier answers."""
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        late.append(max(0.0, time.monotonic() - due))
        task = asyncio.ensure_future(fire(i, due, i >= rate * WARMUP_S))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


@dataclass
class Fixture:
    """What the lines send with: the fleet's tokens, the service, cases for the handoff pairs
    (with the token of the kiosk that made each), and the web sessions (cookie token, CSRF)."""

    tokens: list[str]
    service_id: str
    pair_cases: list[tuple[str, str]]
    sessions: list[tuple[str, str]]


def lines(pool: Pool, fx: Fixture, scale: float, stats: dict[str, Stats]) -> dict[str, tuple]:
    """(rate, fire) of every line, recording into ``stats`` (made here)."""
    fleet = len(fx.tokens)
    rates = {
        "heartbeat": fleet / BEAT_S,
        "case create": CREATE_RATE * scale,
        "handoff create": PAIR_RATE * scale,
        "web step": STEP_RATE * scale,
    }
    for name, rate in rates.items():
        stats[name] = Stats(rate)
    stats["handoff claim"] = Stats(rates["handoff create"])
    beat = json.dumps(
        {
            "software_version": "1.0.0",
            "outbox_depth": 0,
            "device_states": {"printer": {"state": "IDLE", "condition": "online"}},
        }
    ).encode()
    js = "application/json"
    form = "application/x-www-form-urlencoded"

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def heartbeat(i: int, due: float, counted: bool) -> None:
        code, _ = await pool.send("/api/v1/devices/heartbeat", beat, js, auth(fx.tokens[i % fleet]))
        stats["heartbeat"].record(due, code, 200, counted)

    async def create(i: int, due: float, counted: bool) -> None:
        case_id = str(uuid.uuid4())
        body = json.dumps({"id": case_id, "service_id": fx.service_id, "answers": {}}).encode()
        token = fx.tokens[(i * 7919) % fleet]
        code, _ = await pool.send(
            "/api/v1/cases", body, js, auth(token) | {"Idempotency-Key": case_id}
        )
        stats["case create"].record(due, code, 201, counted)

    async def pair(i: int, due: float, counted: bool) -> None:
        case_id, token = fx.pair_cases[i]
        code, body = await pool.send(f"/api/v1/cases/{case_id}/handoffs", b"{}", js, auth(token))
        stats["handoff create"].record(due, code, 201, counted)
        if code != 201:
            return
        claim_due = time.monotonic()  # the phone scans once the kiosk shows the QR code
        secret = json.loads(body)["verification_uri_complete"].split("#", 1)[1]
        code, _ = await pool.send("/h/claim", f"secret={secret}".encode(), form, {})
        stats["handoff claim"].record(claim_due, code, 303, counted)

    async def step(i: int, due: float, counted: bool) -> None:
        token, csrf = fx.sessions[i % len(fx.sessions)]
        data = urlencode(
            {
                "csrf": csrf,
                "full_name": f"Citizen {i}",
                "ni_number": "JH 12 34 56 C",
                "date_of_birth-day": "27",
                "date_of_birth-month": "3",
                "date_of_birth-year": "1985",
            }
        ).encode()
        code, _ = await pool.send(
            f"/case/step/{STEP}", data, form, {"Cookie": f"case_session={token}"}
        )
        stats["web step"].record(due, code, 303, counted)

    return {
        "heartbeat": (rates["heartbeat"], heartbeat),
        "case create": (rates["case create"], create),
        "handoff create": (rates["handoff create"], pair),
        "web step": (rates["web step"], step),
    }


LINES = {
    "heartbeat": "heartbeat",
    "create": "case create",
    "pair": "handoff create",
    "step": "web step",
}
"""``--lines`` names of the lines."""


async def run_window(
    base: str, fx: Fixture, scale: float, seconds: float, stats: dict[str, Stats], only: list[str]
) -> dict[str, float]:
    """The lines named in ``only`` at once for ``seconds``; the generator's wall and CPU seconds."""
    pool = Pool(base)
    tasks: set[asyncio.Task[None]] = set()
    late: dict[str, list[float]] = {}
    t_cpu = time.process_time()
    start = time.monotonic() + 0.2
    dispatchers = []
    chosen = [(n, line) for n, line in lines(pool, fx, scale, stats).items() if n in only]
    for k, (name, (rate, fire)) in enumerate(chosen):
        late[name] = stats[name].late
        offset = k / (4 * rate)  # the lines' first requests not all at the same instant
        dispatchers.append(dispatch(rate, seconds, start + offset, fire, late[name], tasks))
    await asyncio.gather(*dispatchers)
    while tasks:
        await asyncio.gather(*list(tasks), return_exceptions=True)
    wall = time.monotonic() - start
    await pool.close()
    return {"wall": wall, "cpu": time.process_time() - t_cpu, "connections": pool.opened}


# ---------------------------------------------------------------- the fixture


async def make_fixture(
    base: str, tokens: list[str], service_id: str, pair_cases: int, sessions: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Cases for the handoff pairs, and web sessions made as a phone makes them (case, handoff,
    claim, the kiosk confirms), over HTTP on ``base``, 16 at a time (not timed)."""
    from central.web.citizen import csrf_for

    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as client:

        async def case(k: int) -> tuple[str, str]:
            token = tokens[(k * 31) % len(tokens)]
            case_id = str(uuid.uuid4())
            auth = {"Authorization": f"Bearer {token}", "Idempotency-Key": case_id}
            body = {"id": case_id, "service_id": service_id, "answers": {}}
            r = await client.post("/api/v1/cases", json=body, headers=auth)
            assert r.status_code == 201, (r.status_code, r.text[:300])
            return case_id, token

        async def session(k: int) -> tuple[str, str]:
            async with gate:
                case_id, token = await case(k)
                auth = {"Authorization": f"Bearer {token}"}
                r = await client.post(f"/api/v1/cases/{case_id}/handoffs", json={}, headers=auth)
                assert r.status_code == 201, (r.status_code, r.text[:300])
                handoff = r.json()
                secret = handoff["verification_uri_complete"].split("#", 1)[1]
                r = await client.post("/h/claim", data={"secret": secret})
                assert r.status_code == 303, (r.status_code, r.text[:300])
                cookie = next(
                    v.split(";", 1)[0].split("=", 1)[1]
                    for v in r.headers.get_list("set-cookie")
                    if v.startswith("case_session=")
                )
                client.cookies.clear()  # each session sends its own cookie, by hand
                r = await client.post(f"/api/v1/handoffs/{handoff['id']}/confirm", headers=auth)
                assert r.status_code == 200, (r.status_code, r.text[:300])
                return cookie, csrf_for(cookie)

        async def pair_case(k: int) -> tuple[str, str]:
            async with gate:
                return await case(k)

        made = await asyncio.gather(*(session(k) for k in range(sessions)))
        cases = await asyncio.gather(*(pair_case(k) for k in range(pair_cases)))
        # One step post checked here: a refusal would otherwise only show as 100 % errors.
        token, csrf = made[0]
        form = {"csrf": csrf, "full_name": "Setup", "ni_number": "JH 12 34 56 C",
                "date_of_birth-day": "27", "date_of_birth-month": "3", "date_of_birth-year": "1985"}  # fmt: skip
        cookie = {"Cookie": f"case_session={token}"}
        r = await client.post(f"/case/step/{STEP}", data=form, headers=cookie)
        assert r.status_code == 303, (r.status_code, r.text[:500])
        client.cookies.clear()
    return list(cases), list(made)
