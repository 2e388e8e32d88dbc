"""Ten times a national peak, open loop, on PostgreSQL (prints figures, asserts nothing).

Four lines sent together on a schedule, whatever the server answers (issue 16, "Tests and
benchmark"):

* heartbeat — 10,000 kiosks, each with its own token, beating every 30 s (~333 req/s);
* case create — 300/s, each from one of those kiosks, with its Idempotency-Key;
* handoff pair — 100/s: a kiosk creates a handoff for one of its cases, then the phone claims it
  with the QR link's secret (``POST /h/claim``) as soon as the answer is there;
* web step — 200/s: a citizen's web session (made beforehand the way a phone makes one: handoff,
  claim, kiosk confirms) posts the first step of change-of-address, a form with the session's
  cookie and CSRF token (``POST /case/step/about-you``, answered 303), a new name each time, so
  every post appends an ``answers_changed`` event.

Goal: p99 < 50 ms on every line, at the offered rate, with no errors. Measured twice in one run,
on one database, and printed side by side: (a) one ``kiosk-central serve`` node addressed directly,
(b) two nodes behind HAProxy with the shipped deploy/haproxy.cfg (started by
tests/e2e/multinode.py, which the tests use too). Each setup gets its own fresh cases for the
handoff pairs; the web sessions are made once and used by both.

Open loop: request i of a line is due at start + i/rate and is sent then on a pool of keep-alive
connections (a new one when all are busy), and its latency runs **from that due time** to the
answer, so a server (or a load generator) falling behind shows in the figures instead of being
hidden by sending less (coordinated omission). The claim of a pair is due when its handoff's
answer arrives. The first second of each line is sent but left out of the percentiles
(connections opening). "late p99" is how late the generator itself sent: when it grows, the
generator (not the server) is the bottleneck. "node p99" is the same line's p99 as the nodes' own
access log times it (inside the app, the whole window): the difference is queueing outside the
app — the kernel, uvicorn, HAProxy, the generator.

The generator is one asyncio process sending with the raw keep-alive client of
bench/_central_load.py (httpx costs ~1 ms of CPU per request, which here would measure the
client); the web sessions are set up with httpx. It runs on the same machine as the nodes,
HAProxy and PostgreSQL (on a 2-core machine it competes for the same cores), so the figures are a
floor: the run prints the CPU each part used during each window (and per request), the machine's
total, and so what everything else running there took.

After both setups, the closed-loop ceiling ratios of bench/bench_central.py (case create and
heartbeat against a bare FastAPI endpoint served with as many workers, 50 clients) on node 1, for
reference (``--ratio-seconds 0`` skips them).

Measured on a 2-core machine busy with other test runs (they took 0.8-1 core during the windows),
1 worker per node, 2026-12: at ``--scale 0.2`` (~190 req/s in all) every line was answered with
no error, p50 9-20 ms, p99 37-91 ms (the goal met in about half the rows, (a) and (b) alike);
central spent 3.4 ms (one node) to 4.0 ms (two behind HAProxy, which opens a node connection per
request) and PostgreSQL 1.2 ms of CPU per request — the whole goal (~1,030 req/s) is ~5 cores of
that work, more than the machine has; at ``--scale 0.5`` both setups fell behind (p99 0.7-10 s,
web steps timing out). Each line alone at its 0.2 rate: p99 12-26 ms.

Run: ``.venv/bin/python bench/bench_peak.py [--scale 0.1] [--seconds 20] [--workers 1]
[--only one|two] [--rounds 1] [--ratio-seconds 3]``. ``--scale`` multiplies every rate and the
fleet (0.1: 1,000 kiosks, 30 creates/s, 10 pairs/s, 20 steps/s). ``--rounds N`` measures each
setup N times, alternating their order (on a shared machine, what else runs changes by the
minute). ``--lines pair,step`` sends only those lines (what each costs alone: the CPU line
says per request). ``--workers`` is per node (1, as tests/e2e/multinode.py runs them). Needs
PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped afterwards) and haproxy; otherwise it
says so and skips.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import threading
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
    closed_loop,
    pct,
    split_base,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

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
CLK = os.sysconf("SC_CLK_TCK")


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


# ---------------------------------------------------------------- CPU accounting


def proc_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers are the node's children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (every core), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK


class CpuMeter:
    """CPU seconds of named groups of processes between start() and stop(). The groups are looked
    up again every second meanwhile, and each process's last reading kept: a PostgreSQL backend
    or worker that comes and goes within the window is counted too (a process that ends between
    two readings loses at most its last second)."""

    def __init__(self, groups: Callable[[], dict[str, list[int]]]) -> None:
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}
        self.machine = 0.0
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def read(self) -> None:
        for group, pids in self.groups().items():
            for p in pids:
                seconds = proc_seconds(p)
                if seconds:
                    self.last.setdefault(group, {})[p] = seconds

    def start(self) -> None:
        self.before = {g: {p: proc_seconds(p) for p in ps} for g, ps in self.groups().items()}
        self.last = {g: dict(ps) for g, ps in self.before.items()}
        self.machine = machine_busy_seconds()
        self.done.clear()

        def every_second() -> None:
            while not self.done.wait(1.0):
                self.read()

        self.thread = threading.Thread(target=every_second, daemon=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        self.read()
        used = {}
        for group, last in self.last.items():
            was = self.before.get(group, {})
            used[group] = sum(seconds - was.get(p, 0.0) for p, seconds in last.items())
        used["machine"] = machine_busy_seconds() - self.machine
        return used


def backend_pids(db_url: str) -> list[int]:
    """PostgreSQL's backends serving this database (the server's other work is not ours)."""
    import psycopg

    dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    return [pid for (pid,) in rows]


# ---------------------------------------------------------------- setting up


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


def start_nodes(db_url: str, folder: Path, workers: int, count: int) -> list:
    """``count`` nodes (tests/e2e/multinode.py), each with ``workers`` uvicorn workers, started
    together on the fresh database (one migrates), logging warnings only, as bench_central does."""
    from tests.e2e.multinode import Node

    class BenchNode(Node):
        def start(self) -> BenchNode:
            env = {
                **os.environ,
                "KIOSK_CENTRAL_BASE_URL": self.public_url,
                "KIOSK_CENTRAL_CATALOGUE": str(ROOT / "config" / "services"),
            }
            with self.log.open("ab") as log:
                self.proc = __import__("subprocess").Popen(
                    [str(BIN / "kiosk-central"), "serve", "--db", self.db_url, "--port",
                     str(self.port), "--workers", str(workers), "--log-level", "warning"],
                    stdout=log, stderr=log, env=env,
                )  # fmt: skip
            return self

    nodes = [BenchNode(f"node{i + 1}", db_url, folder, "http://lb") for i in range(count)]
    for node in nodes:
        node.start()
    for node in nodes:
        node.wait_ready()
    return nodes


# ---------------------------------------------------------------- reporting


ROUTES = {
    "heartbeat": "POST /api/v1/devices/heartbeat",
    "case create": "POST /api/v1/cases",
    "handoff create": "POST /api/v1/cases/{case_id}/handoffs",
    "handoff claim": "POST /h/claim",
    "web step": "POST /case/step/{step_id}",
}
"""Each line's route as central's access log names it (its time is the node's own, inside the app:
no queueing in the kernel, the balancer or the generator)."""


def node_times(logs: list[tuple[Path, int]]) -> dict[str, list[float]]:
    """Milliseconds per route in the access log lines written after the given offsets."""
    times: dict[str, list[float]] = {}
    for log, offset in logs:
        with log.open("rb") as f:
            f.seek(offset)
            for row in f.read().decode(errors="replace").splitlines():
                parts = row.split()
                if len(parts) >= 7 and parts[2] == "access" and parts[6].endswith("ms"):
                    times.setdefault(f"{parts[3]} {parts[4]}", []).append(float(parts[6][:-2]))
    return times


LINE_TITLES = {
    "heartbeat": "heartbeat (the fleet, every kiosk its own token, each beating every 30 s)",
    "case create": "case create (a kiosk starts a case)",
    "handoff create": "handoff create (the kiosk shows a QR code; first half of a pair)",
    "handoff claim": "handoff claim (the phone posts the QR secret; due when the create answered)",
    "web step": f"web step (a citizen's session posts step {STEP!r}, cookie + CSRF; 303)",
}


def verdict(s: Stats, achieved: float) -> str:
    held = (
        s.errors == 0 and achieved >= 0.95 * s.offered and pct(s.latencies, 99) * 1000 < GOAL_P99_MS
    )
    return "met" if held else "NOT met"


def report(results: dict[str, tuple[dict[str, Stats], dict[str, float], dict]]) -> None:
    """A table per line, one row per setup."""
    header = (
        f"    {'setup':<26}{'offered':>9}{'achieved':>10}{'p50':>9}{'p95':>9}{'p99':>9}"
        f"{'late p99':>10}{'node p99':>10}{'errors':>8}   goal p99 < {GOAL_P99_MS:.0f} ms"
    )
    for name, title in LINE_TITLES.items():
        if not any(stats[name].statuses for stats, _, _ in results.values()):
            continue  # not sent (--lines)
        print(f"\n  {title}")
        print(header)
        for setup, (stats, gen, times) in results.items():
            seconds, wall = gen["seconds"], gen["wall"]
            node = f"{pct(times.get(ROUTES[name], []), 99):>8.1f}ms"
            s = stats[name]
            achieved = s.ok / max(seconds, wall)
            codes = ",".join(f"{k}:{v}" for k, v in sorted(s.statuses.items()))
            late = f"{pct(s.late, 99) * 1000:>8.1f}ms" if s.late else f"{'-':>10}"
            print(
                f"    {setup:<26}{s.offered:>7.0f}/s{achieved:>8.0f}/s"
                f"{pct(s.latencies, 50) * 1000:>7.1f}ms{pct(s.latencies, 95) * 1000:>7.1f}ms"
                f"{pct(s.latencies, 99) * 1000:>7.1f}ms{late}{node}"
                f"{s.errors:>8}   {verdict(s, achieved):<8} [{codes}]"
            )


def node_log_summary(name: str, log: Path) -> str:
    """A node's log in counts: access lines by status class, and every other line (warnings,
    errors) with the last of them."""
    access: Counter[str] = Counter()
    other: list[str] = []
    for row in log.read_text(errors="replace").splitlines():
        parts = row.split()
        if len(parts) >= 6 and parts[2] == "access":
            access[parts[5][0] + "xx"] += 1
        elif row.strip() and not row.startswith("kiosk-central: "):
            other.append(row)
    codes = ", ".join(f"{k} {v}" for k, v in sorted(access.items()))
    last = f"; last: {other[-1][:200]}" if other else ""
    return f"  {name} log: access lines {codes or 'none'}; {len(other)} other lines{last} ({log})"


def print_cpu(setup: str, used: dict[str, float], gen: dict[str, float], requests: int) -> None:
    wall = gen["wall"]
    share = {k: 100 * v / wall for k, v in used.items()}
    ours = sum(v for k, v in share.items() if k != "machine")
    print(
        f"  CPU during {setup} ({wall:.1f} s; % of one core, the machine has {os.cpu_count()}): "
        f"load generator {share['generator']:.0f} %, central node(s) {share['nodes']:.0f} %, "
        f"HAProxy {share['haproxy']:.0f} %, PostgreSQL backends of this database "
        f"{share['postgres']:.0f} %; machine total {share['machine']:.0f} % of which "
        f"{max(0.0, share['machine'] - ours):.0f} % other processes; central "
        f"{1000 * used['nodes'] / max(requests, 1):.1f} ms and PostgreSQL "
        f"{1000 * used['postgres'] / max(requests, 1):.1f} ms of CPU per request; "
        f"{gen['connections']:.0f} connections opened; load average {os.getloadavg()[0]:.2f}"
    )


# ---------------------------------------------------------------- the run


def ratios(base: str, token: str, service_id: str, workers: int, seconds: float, tmp: Path) -> None:
    """bench_central's closed-loop ceiling ratios on one node (50 clients each)."""
    from bench_central import BARE_APP, bare_command, free_port, operations, serve, stop

    (tmp / "bench_bare_app.py").write_text(BARE_APP)
    port = free_port()
    bare = serve(
        bare_command(tmp, port, workers), f"http://127.0.0.1:{port}/docs", tmp / "bare.log"
    )
    try:
        ops = operations(base, f"http://127.0.0.1:{port}", token, service_id, [])
        rps = {}
        p99 = {}
        for name, make in ops.items():
            rate, lat, _ = asyncio.run(closed_loop(seconds, make))
            rps[name], p99[name] = rate, pct(lat, 99) * 1000
        ceiling = rps["bare FastAPI JSON endpoint"]
        print(
            f"\n  closed-loop ceiling ratios on node 1 (bench_central's, 50 clients, {seconds:.0f} s "
            f"each): bare FastAPI endpoint {ceiling:.0f} req/s (p99 "
            f"{p99['bare FastAPI JSON endpoint']:.1f} ms); "
            + "; ".join(
                f"{n} {rps[n]:.0f} req/s = {rps[n] / ceiling:.2f} of it (goal >= 0.4), p99 "
                f"{p99[n]:.1f} ms"
                for n in ("case create", "heartbeat")
            )
        )
    finally:
        stop(bare)


def run(args: argparse.Namespace, db_url: str, tmp: Path) -> None:
    from bench_central import add_fleet_devices

    from tests.e2e.multinode import Balancer

    fleet = max(1, round(FLEET * args.scale))
    nodes = start_nodes(db_url, tmp, args.workers, 1 if args.only == "one" else 2)
    balancer = None
    try:
        tokens = add_fleet_devices(db_url, "FLEET", fleet)
        direct = nodes[0].url
        catalogue = httpx.get(f"{direct}/api/v1/catalogue", timeout=10).json().get("services", [])
        ids = [s["id"] for s in catalogue]
        service_id = "change-of-address" if "change-of-address" in ids else ids[0]
        setups = {
            "(a) 1 node, direct": direct,
            "(b) 2 nodes + HAProxy": None,
        }
        if args.only == "one":
            del setups["(b) 2 nodes + HAProxy"]
        if args.only == "two":
            del setups["(a) 1 node, direct"]
        if "(b) 2 nodes + HAProxy" in setups:
            balancer = Balancer(tmp, nodes).start()
            setups["(b) 2 nodes + HAProxy"] = balancer.url
        pairs_each = int(PAIR_RATE * args.scale * args.seconds) + 1
        n_sessions = max(20, int(STEP_RATE * args.scale * SESSION_REUSE_S))
        t0 = time.monotonic()
        cases, sessions = asyncio.run(
            make_fixture(
                direct, tokens, service_id, pairs_each * len(setups) * args.rounds, n_sessions
            )
        )
        runs = []  # on a shared machine, rounds alternate the order: a b, b a, ...
        for r in range(args.rounds):
            order = list(setups.items()) if r % 2 == 0 else list(setups.items())[::-1]
            runs += [(f"{name} #{r + 1}" if args.rounds > 1 else name, b) for name, b in order]
        print(
            f"PostgreSQL, scale {args.scale:g}: {fleet} kiosks, service {service_id!r}, "
            f"{args.workers} worker(s) per node, {args.seconds:.0f} s per setup (first "
            f"{WARMUP_S:.0f} s not timed); set up in {time.monotonic() - t0:.1f} s: "
            f"{n_sessions} web sessions, {len(cases)} cases for the pairs"
        )
        results = {}
        for k, (setup, base) in enumerate(runs):
            fx = Fixture(tokens, service_id, cases[k * pairs_each : (k + 1) * pairs_each], sessions)
            used_nodes = [nodes[0]] if base == direct else nodes

            def groups(used_nodes: list = used_nodes) -> dict[str, list[int]]:
                return {
                    "generator": [os.getpid()],
                    "nodes": [p for n in used_nodes for p in tree(n.proc.pid)],
                    "haproxy": tree(balancer.proc.pid) if balancer and balancer.proc else [],
                    "postgres": backend_pids(db_url),
                }

            meter = CpuMeter(groups)
            stats: dict[str, Stats] = {}
            offsets = [(n.log, n.log.stat().st_size) for n in used_nodes]
            meter.start()
            gen = asyncio.run(run_window(base, fx, args.scale, args.seconds, stats, args.lines))
            used = meter.stop()
            used["generator"] = gen["cpu"]
            gen["seconds"] = args.seconds
            results[setup] = (stats, gen, node_times(offsets))
            print_cpu(setup, used, gen, sum(x.ok + x.errors for x in stats.values()))
        report(results)
        if args.ratio_seconds > 0:
            ratios(direct, tokens[0], service_id, args.workers, args.ratio_seconds, tmp)
    finally:
        if balancer is not None:
            balancer.stop()
        for node in nodes:
            node.stop()
        for node in nodes:
            print(node_log_summary(node.name, node.log))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of every rate and the fleet")
    parser.add_argument("--seconds", type=float, default=20, help="per setup")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per node")
    parser.add_argument("--only", choices=["one", "two"], help="one setup: (a) or (b)")
    parser.add_argument(
        "--lines",
        type=lambda text: [LINES[n.strip()] for n in text.split(",")],
        default=list(LINES.values()),
        help=f"comma-separated, of {', '.join(LINES)} (default: all together)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="each setup this many times, alternating the order"
    )
    parser.add_argument(
        "--ratio-seconds", type=float, default=3, help="per closed-loop ratio line; 0 skips them"
    )
    args = parser.parse_args()
    from tests.e2e.multinode import HAPROXY

    if args.only != "one" and not (shutil.which("haproxy") or os.path.exists(HAPROXY)):
        print("bench_peak: SKIPPED (haproxy is not installed; --only one runs without it)")
        return 0
    from central.web.testkit import fresh_postgres

    tmp = Path(tempfile.mkdtemp(prefix="bench_peak_"))
    with fresh_postgres() as db_url:
        if db_url is None:
            print("bench_peak: SKIPPED (PostgreSQL at 127.0.0.1:5432 is unreachable)")
            return 0
        run(args, db_url, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
