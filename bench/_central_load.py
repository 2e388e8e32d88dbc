"""Load generation for bench/bench_central.py: a raw keep-alive HTTP client, the closed-loop driver
(N clients sending as fast as answers come) and the open loop (requests sent on schedule, such as
the fleet of kiosks beating).

Not named ``bench_*.py`` on purpose: ``make bench`` runs every such file as a benchmark.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

CONCURRENCY = 50
FLEET = 10_000
BEAT_S = 30.0
WARMUP_S = 1.0
"""Open loop: seconds sent but left out of the latency figures (connections opening)."""
KEEP_ALIVE_S = 4.0
"""Idle keep-alive connections older than this are not reused: uvicorn closes them after 5 s, and
a request sent as the server closes is lost (HTTP clients check for this before reuse too)."""

Request = tuple[str, str, dict, dict]
"""(base URL, path, JSON body, headers)."""


class RawConnection:
    """A minimal keep-alive HTTP/1.1 client connection. httpx costs the load generator ~1 ms of CPU
    per request, which on a shared 2-core machine would measure the client, not the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = time.monotonic()

    async def post(self, path: str, body: dict, headers: dict[str, str]) -> int:
        return (await self.send(path, json.dumps(body).encode(), "application/json", headers))[0]

    async def send(
        self, path: str, data: bytes, content_type: str, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """POST ``data``; (status, response body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(data)}",
        ]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("server closed the connection")
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        body = await self.reader.readexactly(length)
        self.last_used = time.monotonic()
        if close:
            await self.close()
        return int(status_line.split()[1]), body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def split_base(base: str) -> tuple[str, int]:
    host, _, port = base.removeprefix("http://").partition(":")
    return host, int(port)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def closed_loop(
    seconds: float, make: Callable[[], Request], warmup_s: float = WARMUP_S
) -> tuple[float, list[float], dict[int, int]]:
    """CONCURRENCY clients, each sending as fast as answers come: (req/s, latencies, statuses).
    The first ``warmup_s`` run untimed (connections opening, the server's pools and statement
    caches filling): otherwise the first wave of 50 cold requests *is* the p99 of a few thousand.
    Statuses count every request, the warm-up's too."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    timed_from = time.monotonic() + warmup_s
    stop = timed_from + seconds

    async def worker() -> None:
        conn: RawConnection | None = None
        while time.monotonic() < stop:
            base, path, body, headers = make()
            if conn is None:
                conn = RawConnection(*split_base(base))
            timed = time.monotonic() >= timed_from
            t0 = time.perf_counter()
            try:
                code = await asyncio.wait_for(conn.post(path, body, headers), 30)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError):
                code = 0
                await conn.close()
            if timed:
                latencies.append(time.perf_counter() - t0)
            statuses[code] = statuses.get(code, 0) + 1
        if conn is not None:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(latencies) / (time.monotonic() - timed_from), latencies, statuses


async def handoff_pairs(
    base: str, token: str, case_ids: list[str], seconds: float
) -> tuple[float, list[float], list[float], dict[int, int]]:
    """CONCURRENCY kiosk+phone pairs in a closed loop: the kiosk creates a handoff for a case
    (``POST /api/v1/cases/{id}/handoffs``), the phone claims it with the secret from the QR link
    (``POST /h/claim``, a form, answered 303 + cookie). (pairs/s, create latencies, claim
    latencies, statuses); the first :data:`WARMUP_S` untimed, as in :func:`closed_loop`."""
    creates: list[float] = []
    claims: list[float] = []
    statuses: dict[int, int] = {}
    todo = list(reversed(case_ids))
    timed_from = time.monotonic() + WARMUP_S
    stop = timed_from + seconds
    auth = {"Authorization": f"Bearer {token}"}

    async def worker() -> None:
        kiosk = RawConnection(*split_base(base))
        phone = RawConnection(*split_base(base))
        while time.monotonic() < stop and todo:
            case_id = todo.pop()
            timed = time.monotonic() >= timed_from
            t0 = time.perf_counter()
            code, body = await kiosk.send(f"/api/v1/cases/{case_id}/handoffs", b"{}",
                                          "application/json", auth)  # fmt: skip
            t1 = time.perf_counter()
            statuses[code] = statuses.get(code, 0) + 1
            if code != 201:
                continue
            secret = json.loads(body)["verification_uri_complete"].split("#", 1)[1]
            form = f"secret={secret}".encode()
            code, _ = await phone.send("/h/claim", form, "application/x-www-form-urlencoded", {})
            statuses[code] = statuses.get(code, 0) + 1
            if timed:
                creates.append(t1 - t0)
                claims.append(time.perf_counter() - t1)
        await kiosk.close()
        await phone.close()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(claims) / (time.monotonic() - timed_from), creates, claims, statuses


async def fleet(base: str, tokens: list[str], seconds: float) -> dict[str, Any]:
    """Kiosk i beats at (i/FLEET)*30 s + k*30 s, each with its own token (see :func:`open_loop`)."""

    def beat(i: int) -> tuple[str, dict, dict[str, str], int]:
        body = {
            "software_version": "1.0.0",
            "outbox_depth": i % 3,
            "device_states": {"printer": {"state": "IDLE", "condition": "online"}},
        }
        auth = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        return "/api/v1/devices/heartbeat", body, auth, 200

    return await open_loop(base, len(tokens) / BEAT_S, seconds, beat)


async def open_loop(
    base: str,
    rate: float,
    seconds: float,
    make: Callable[[int], tuple[str, dict, dict[str, str], int]],
    warmup_s: float = WARMUP_S,
) -> dict[str, Any]:
    """Open loop: request i is due at start + i/rate, and the requests due in ``seconds`` are sent
    on schedule whatever the server's speed, on a pool of keep-alive connections (a connection busy
    with an earlier request makes the next one open a new connection, as a real fleet would).
    ``make(i)`` gives (path, body, headers, expected status). Anything unanswered 10 s after the
    window counts as an error. Latencies of the first ``warmup_s`` (sent, answered and checked all
    the same) are left out of the percentiles: the connections being opened then, and the
    server's first statements, are a start-up cost, not the steady state."""
    due = int(rate * seconds)
    counted_from = int(rate * warmup_s)
    latencies: list[float] = []
    late: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    idle: list[RawConnection] = []
    host, port = split_base(base)
    start = time.monotonic()

    async def send(i: int) -> None:
        nonlocal errors
        path, body, headers, expected = make(i)
        at = start + i / rate
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        late.append(max(0.0, time.monotonic() - at))
        conn = None
        while idle and conn is None:
            conn = idle.pop()
            if time.monotonic() - conn.last_used > KEEP_ALIVE_S:
                await conn.close()  # the server drops it any moment: so would a real client
                conn = None
        conn = conn or RawConnection(host, port)
        t0 = time.perf_counter()
        try:
            code = await conn.post(path, body, headers)
            idle.append(conn)
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            code = 0
            await conn.close()
        if i >= counted_from:
            latencies.append(time.perf_counter() - t0)
        statuses[code] = statuses.get(code, 0) + 1
        errors += code != expected

    tasks = [asyncio.ensure_future(send(i)) for i in range(due)]
    done, pending = await asyncio.wait(tasks, timeout=seconds + 10)
    for task in pending:
        task.cancel()
    errors += len(pending)
    elapsed = time.monotonic() - start
    for conn in idle:
        await conn.close()
    answered = sum(statuses.values()) - statuses.get(0, 0)
    return {
        "target_rps": rate,
        "achieved_rps": answered / max(elapsed, seconds),
        "sent": due,
        "answered": answered,
        "errors": errors,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
        "sender_late_p99_ms": pct(late, 99) * 1000,
        "elapsed_s": elapsed,
        "statuses": ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
    }


def fleet_held(f: dict[str, Any]) -> bool:
    """The fleet is held when every beat was answered 200, at >= 95 % of the target rate, p99 < 1 s."""
    return f["errors"] == 0 and f["achieved_rps"] >= 0.95 * f["target_rps"] and f["p99_ms"] < 1000


def line(name: str, rps: float, lat: list[float], statuses: dict[int, int]) -> str:
    codes = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    return (
        f"  {name:<28} {rps:8.0f} req/s   p50 {pct(lat, 50) * 1000:7.1f} ms   "
        f"p99 {pct(lat, 99) * 1000:7.1f} ms   [{codes}]"
    )
