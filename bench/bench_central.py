"""Central service throughput and latency, on SQLite and PostgreSQL (prints figures, asserts nothing).

For each database: ``kiosk-central serve`` (loopback; ``--workers N`` uvicorn workers, default: what
``serve`` picks for that database — 1 on SQLite, one per core up to 4 on PostgreSQL) is driven by 50
concurrent async clients for a few seconds per operation — case create (new case + Idempotency-Key
each time), device heartbeat, and handoff create + claim pairs (a kiosk and a phone) — beside a bare FastAPI JSON endpoint served the same way, with as
many workers (the framework's ceiling on this machine, measured in the same run: the reference for
the ratios). Then a simulated fleet: 10,000 kiosks each beating every 30 s (~333 req/s, open loop, every
kiosk its own token) for 20 s: is the rate held, and what is the p99?

Every closed-loop line runs one untimed second first (connections, pools and statement caches
warming), like the open-loop lines: otherwise the first wave of 50 cold requests is the p99.

Run: ``.venv/bin/python bench/bench_central.py [--seconds 6] [--fleet-seconds 20] [--only sqlite]
[--workers 2] [--profile DIR]``. ``--profile`` records py-spy samples of the server per operation
(collapsed stacks, with the hottest functions printed) (py-spy is in the dev extra). The load generator (:mod:`_central_load`) shares the
machine's cores with the server, so figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _central_load import (  # noqa: E402 - the sibling module, found through the line above
    BEAT_S,
    CONCURRENCY,
    FLEET,
    WARMUP_S,
    Request,
    closed_loop,
    fleet,
    fleet_held,
    handoff_pairs,
    line,
    open_loop,
    pct,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from central.commands.server import default_workers  # noqa: E402

# The bare endpoint: what FastAPI + uvicorn do with no database at all (imported by uvicorn).
BARE_APP = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Beat(BaseModel):
    software_version: str
    outbox_depth: int
    device_states: dict = {}


@app.post("/bare")
def bare(beat: Beat) -> dict:
    return {"device_id": "x", "received_at": "2026-01-01T00:00:00+00:00", "interval_s": 30}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server at {url} did not come up")


def serve(cmd: list[str], health: str, log: Path) -> subprocess.Popen[bytes]:
    """The server, its stderr in ``log`` (a pipe nobody reads would stall it once full)."""
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink)
    wait_up(health, proc)
    return proc


def log_summary(log: Path) -> str:
    """What the server logged (warnings: batch reruns, failed writes)."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    if not lines:
        return "  server log: nothing logged"
    counts: dict[str, int] = {}
    for ln in lines:
        counts[ln.split(":", 1)[0]] = counts.get(ln.split(":", 1)[0], 0) + 1
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return f"  server log: {len(lines)} lines ({kinds}); last: {lines[-1][:160]} ({log})"


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def profiled(pid: int, seconds: float, out: Path | None) -> Iterator[None]:
    """py-spy samples of process ``pid`` (and its workers) while the block runs: collapsed stacks
    in ``out`` (``flamegraph.pl`` or speedscope draw them) and the hottest functions printed."""
    spy = None
    if out is not None:
        spy = subprocess.Popen(
            [str(BIN / "py-spy"), "record", "-p", str(pid), "-d", str(int(seconds) + 1)]
            + ["--subprocesses", "--nonblocking", "-r", "100", "--format", "raw", "-o", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        yield
    finally:
        if spy is not None and out is not None:
            spy.wait(timeout=60)
            print_hottest(out)


def print_hottest(folded: Path, top: int = 12) -> None:
    """The functions most often on the stack (inclusive share of samples) in a collapsed file."""
    if not folded.exists():
        print(f"    (no profile written to {folded})")
        return
    total = 0
    inclusive: dict[str, int] = {}
    for row in folded.read_text().splitlines():
        stack, _, count = row.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in {f.split(" (")[0] + " " + f.rsplit("/", 1)[-1] for f in stack.split(";")}:
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    print(f"    profile {folded.name}: {total} samples; most often on the stack:")
    for frame, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"      {100 * n / max(total, 1):5.1f}%  {frame[:110]}")


def add_fleet_devices(db_url: str, office: str, n: int) -> list[str]:
    """Insert n devices directly (the CLI would take minutes for 10,000); returns their tokens."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from central.db.base import make_engine
    from central.db.models import Device

    tokens, rows = [], []
    for _ in range(n):
        device_id = "dev_" + secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        tokens.append(f"{device_id}.{secret}")
        rows.append(
            {
                "id": device_id,
                "office": office,
                "name": "fleet",
                "token_hash": hashlib.sha256(secret.encode()).hexdigest(),
            }
        )
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(Device), rows)
    engine.dispose()
    return tokens


def central(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-central"), *args], cwd=ROOT, capture_output=True, text=True
    )


def operations(
    base: str, bare_base: str, token: str, service_id: str, created: list[str]
) -> dict[str, Callable]:
    """The closed-loop operations; ``created`` collects the ids of the cases create() sends (the
    handoff pairs use them)."""
    auth = {"Authorization": f"Bearer {token}"}

    def bare() -> Request:
        return bare_base, "/bare", {"software_version": "1", "outbox_depth": 0}, {}

    def create() -> Request:
        case_id = str(uuid.uuid4())
        created.append(case_id)
        body = {"id": case_id, "service_id": service_id, "answers": {}}
        return base, "/api/v1/cases", body, auth | {"Idempotency-Key": case_id}

    def heartbeat() -> Request:
        body = {
            "software_version": "1.0.0",
            "outbox_depth": 0,
            "device_states": {"printer": {"state": "IDLE"}},
        }
        return base, "/api/v1/devices/heartbeat", body, auth

    return {"bare FastAPI JSON endpoint": bare, "case create": create, "heartbeat": heartbeat}


CREATE_RATE = FLEET / BEAT_S
"""Open-loop creates at the fleet's heartbeat rate: every kiosk of the 10,000 starting a case every
30 s — far above a real peak, where one kiosk serves a citizen every few minutes."""


def open_loop_create(token: str, service_id: str) -> Callable[[int], tuple[str, dict, dict, int]]:
    auth = {"Authorization": f"Bearer {token}"}

    def create(_: int) -> tuple[str, dict, dict, int]:
        case_id = str(uuid.uuid4())
        body = {"id": case_id, "service_id": service_id, "answers": {}}
        return "/api/v1/cases", body, auth | {"Idempotency-Key": case_id}, 201

    return create


def bare_command(tmp: Path, port: int, workers: int) -> list[str]:
    """The bare app served like central: one uvicorn process, or ``workers`` sharing a listener
    made the way ``kiosk-central serve`` makes it (uvicorn's own loses TCP_NODELAY)."""
    if workers <= 1:
        return [str(BIN / "python"), "-m", "uvicorn", "bench_bare_app:app", "--app-dir", str(tmp),
                "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    launch = (
        "import sys, uvicorn; from uvicorn.supervisors import Multiprocess; "
        f"sys.path[:0] = [{str(tmp)!r}, {str(ROOT)!r}]; "
        "from central.commands.server import tcp_listener; "
        f"c = uvicorn.Config('bench_bare_app:app', port={port}, workers={workers}, "
        "log_level='warning', access_log=False); "
        f"Multiprocess(c, sockets=[tcp_listener('127.0.0.1', {port})]).run()"
    )
    return [str(BIN / "python"), "-c", launch]


def run_db(label: str, db_url: str, args: argparse.Namespace, tmp: Path) -> None:
    workers = args.workers or default_workers(db_url)
    bare_port = free_port()
    bare_proc = serve(
        bare_command(tmp, bare_port, workers),
        f"http://127.0.0.1:{bare_port}/docs",
        tmp / f"{label}-bare.log",
    )
    try:
        bare = (f"http://127.0.0.1:{bare_port}", bare_proc.pid)
        run_central(label, db_url, args, workers, bare, tmp / f"{label}-central.log")
    finally:
        stop(bare_proc)


def run_central(
    label: str,
    db_url: str,
    args: argparse.Namespace,
    workers: int,
    bare: tuple[str, int],
    log: Path,
) -> None:
    bare_base, bare_pid = bare
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    migrated = central("migrate", "--db", db_url)
    if migrated.returncode:
        print(f"{label}: migrate failed: {migrated.stderr.strip()}")
        return
    out = central("add-device", "--db", db_url, "--office", "BENCH", "--name", "bench", "--json")
    token = json.loads(out.stdout)["token"]
    proc = serve(
        [str(BIN / "kiosk-central"), "serve", "--db", db_url, "--port", str(port), "--no-migrate"]
        + ["--workers", str(workers)],
        f"{base}/healthz",
        log,
    )
    try:
        catalogue = httpx.get(f"{base}/api/v1/catalogue", timeout=10)
        services = catalogue.json().get("services", []) if catalogue.status_code == 200 else []
        service_id = services[0]["id"] if services else "no-catalogue-loaded"
        print(
            f"{label}  ({db_url.split('://')[0]}; {workers} worker(s); service "
            f"{service_id!r}; {CONCURRENCY} clients, {args.seconds:.0f} s each; "
            f"load average {os.getloadavg()[0]:.2f})"
        )
        results: dict[str, float] = {}
        p99: dict[str, float] = {}
        created: list[str] = []
        for name, make in operations(base, bare_base, token, service_id, created).items():
            pid = bare_pid if make.__name__ == "bare" else proc.pid
            out_file = args.profile / f"{label}-{make.__name__}.folded" if args.profile else None
            with profiled(pid, args.seconds, out_file):
                rps, lat, st = asyncio.run(closed_loop(args.seconds, make))
            results[name], p99[name] = rps, pct(lat, 99) * 1000
            print(line(name, rps, lat, st))
        ceiling = results["bare FastAPI JSON endpoint"]
        bare_p99 = p99["bare FastAPI JSON endpoint"]
        for name in ("case create", "heartbeat"):
            print(
                f"  {name} / bare ceiling: {results[name] / ceiling:.2f} (goal >= 0.4); "
                f"p99 {p99[name]:.1f} ms = {p99[name] / bare_p99:.2f}x the bare endpoint's p99"
            )
        print(
            f"  closed loop bound (Little's law): {CONCURRENCY} clients at the ceiling wait "
            f"{1000 * CONCURRENCY / ceiling:.1f} ms on average, and the bare endpoint's own p99 "
            f"is {bare_p99:.1f} ms"
        )
        out_file = args.profile / f"{label}-handoff.folded" if args.profile else None
        with profiled(proc.pid, args.seconds, out_file):
            pairs, made, claimed, st = asyncio.run(
                handoff_pairs(base, token, created, args.seconds)
            )
        print(
            f"  handoff create+claim: {pairs:.0f} pairs/s = {2 * pairs:.0f} req/s "
            f"({2 * pairs / ceiling:.2f} of the ceiling; goal >= 0.4); create p50 "
            f"{pct(made, 50) * 1000:.1f} ms p99 {pct(made, 99) * 1000:.1f} ms, claim p50 "
            f"{pct(claimed, 50) * 1000:.1f} ms p99 {pct(claimed, 99) * 1000:.1f} ms "
            f"[{','.join(f'{k}:{v}' for k, v in sorted(st.items()))}]"
        )
        creates = asyncio.run(
            open_loop(base, CREATE_RATE, args.fleet_seconds, open_loop_create(token, service_id))
        )
        print(
            f"  case create, open loop @ {CREATE_RATE:.0f}/s for {args.fleet_seconds:.0f} s: "
            f"achieved {creates['achieved_rps']:.0f}/s, errors {creates['errors']}, "
            f"p50 {creates['p50_ms']:.1f} ms, p99 {creates['p99_ms']:.1f} ms "
            f"(goal p99 < 50 ms; first {WARMUP_S:.0f} s not timed) [{creates['statuses']}]"
        )
        t0 = time.monotonic()
        tokens = add_fleet_devices(db_url, "FLEET", FLEET)
        print(f"  fleet: {FLEET} devices registered in {time.monotonic() - t0:.1f} s")
        out_file = args.profile / f"{label}-fleet.folded" if args.profile else None
        with profiled(proc.pid, args.fleet_seconds, out_file):
            f = asyncio.run(fleet(base, tokens, args.fleet_seconds))
        print(
            f"  fleet of {FLEET} @ 1/{BEAT_S:.0f}s for {args.fleet_seconds:.0f} s: target "
            f"{f['target_rps']:.0f}/s, achieved {f['achieved_rps']:.0f}/s, sent {f['sent']}, "
            f"answered {f['answered']:.0f}, "
            f"errors {f['errors']}, p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
            f"sender late p99 {f['sender_late_p99_ms']:.1f} ms [{f['statuses']}] -> "
            f"{'HELD' if fleet_held(f) else 'NOT HELD'}"
        )
    finally:
        stop(proc)
        print(log_summary(log))


def run_postgres(args: argparse.Namespace, tmp: Path) -> None:
    try:
        import psycopg

        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except Exception as exc:  # noqa: BLE001 - any failure: report and skip this half
        print(f"PostgreSQL: SKIPPED (127.0.0.1:5432 unreachable: {exc})")
        return
    name = f"kiosk_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run_db("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args, tmp)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--fleet-seconds", type=float, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn workers, bare and central (default: what kiosk-central serve picks)",
    )
    parser.add_argument("--profile", type=Path, help="write py-spy samples (collapsed stacks) here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="bench_central_"))
    (tmp / "bench_bare_app.py").write_text(BARE_APP)
    if args.only in (None, "sqlite"):
        run_db("SQLite", f"sqlite:///{tmp / 'central.db'}", args, tmp)
    if args.only in (None, "postgresql"):
        run_postgres(args, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
