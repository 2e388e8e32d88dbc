"""Handoff create + claim over real HTTP: 50 concurrent clients against uvicorn on a loopback port.

The server runs in its own process (so the load generator does not share its GIL).
Each client, in a loop: the kiosk creates a handoff (POST /api/v1/cases/{id}/handoffs), the phone
claims it with the secret (POST /h/claim → 303 + cookie). Prints throughput and latency figures
(median, p95); asserts nothing about timing. SQLite file by default; ``--db URL`` for another
database, ``--db pg`` for a fresh PostgreSQL database at 127.0.0.1:5432 (dropped afterwards).

    .venv/bin/python bench/bench_handoff.py [--clients 50] [--pairs 400] [--db URL|pg]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from central.handoff.ratelimit import SlidingWindowLimiter  # noqa: E402
from central.web.testkit import build, fresh_postgres  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, base: str, port: int) -> None:
    """The server process: the real app (real clock) on the demo catalogue."""
    from central.app import create_app
    from central.settings import Settings
    from central.web.testkit import demo_catalogue

    app = create_app(
        Settings(db_url=url, base_url=base, secret_key="bench"), catalogue=demo_catalogue()
    )
    app.state.attempt_limiter = SlidingWindowLimiter(10**9, 60)  # measure the path, not the limiter
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", limit_concurrency=1000)


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/h", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument(
        "--db", default=None, help="database URL, or 'pg' for a fresh PostgreSQL database"
    )
    args = parser.parse_args()

    if args.db == "pg":
        with fresh_postgres() as url:
            if url is None:
                print("PostgreSQL at 127.0.0.1:5432 unreachable: nothing measured")
                return 0
            return run(args, url)
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")


def run(args: argparse.Namespace, url: str) -> int:
    port = _port()
    base = f"http://127.0.0.1:{port}"
    kit = build(url, base_url=base)
    kit.clock.now = datetime.now(UTC)
    cases = [kit.new_case({"full_name": "Bench"}) for _ in range(args.pairs)]
    kit.engine.dispose()
    server = mp.get_context("spawn").Process(target=serve, args=(url, base, port), daemon=True)
    server.start()
    wait_ready(base)

    create_ms: list[float] = []
    claim_ms: list[float] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    local = threading.local()
    clients: list[httpx.Client] = []

    def client_of_this_thread() -> httpx.Client:
        # One keep-alive client per load thread: a new httpx.Client per pair built an SSL context
        # each time (~10 ms of CPU), so the figures measured the load generator, not the server.
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=60)
            with lock:
                clients.append(client)
        client.cookies.clear()  # each pair is a new phone: no session cookie carried over
        return client

    def one(case_id: str) -> None:
        client = client_of_this_thread()
        t0 = time.perf_counter()
        r = client.post(f"/api/v1/cases/{case_id}/handoffs", headers=kit.auth)
        t1 = time.perf_counter()
        if r.status_code != 201:
            with lock:
                failures[f"create {r.status_code}"] += 1
            return
        secret = r.json()["verification_uri_complete"].split("#", 1)[1]
        c = client.post("/h/claim", data={"secret": secret})
        t2 = time.perf_counter()
        with lock:
            create_ms.append((t1 - t0) * 1000)
            if c.status_code == 303:
                claim_ms.append((t2 - t1) * 1000)
            else:
                failures[f"claim {c.status_code}"] += 1

    def guarded(case_id: str) -> None:
        try:
            one(case_id)
        except httpx.HTTPError as exc:
            with lock:
                failures[type(exc).__name__] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(guarded, [str(c.id) for c in cases]))
    elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    server.terminate()
    server.join(timeout=10)

    backend = url.split(":", 1)[0]
    print(f"handoff create+claim, {args.clients} concurrent clients, {args.pairs} pairs, {backend}")
    print(f"  pairs/s (create+claim): {len(claim_ms) / elapsed:8.1f}")
    print(
        f"  create  median {statistics.median(create_ms):7.1f} ms   p95 {pct(create_ms, 0.95):7.1f} ms"
    )
    print(
        f"  claim   median {statistics.median(claim_ms):7.1f} ms   p95 {pct(claim_ms, 0.95):7.1f} ms"
    )
    print(f"  failures: {sum(failures.values())} {dict(failures) if failures else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
