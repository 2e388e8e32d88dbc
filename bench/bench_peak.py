"""Ten times a national peak, open loop, on PostgreSQL (prints figures, asserts nothing).

This is the runner (nodes, balancer, rounds, the closed-loop ratios); the lines and their open
loop are in bench/_peak_profile.py, the CPU accounting and the tables in bench/_peak_measure.py.

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

Run: ``.venv/bin/python bench/bench_peak.py [--scale 0.05] [--seconds 8] [--full] [--workers 1]
[--only one|two] [--rounds 1] [--ratio-seconds 3] [--write-path batch|plain|both]``. ``--scale``
multiplies every rate and the fleet (0.1: 1,000 kiosks, 30 creates/s, 10 pairs/s, 20 steps/s);
the default (0.05, 8 s a setup) is what ``make bench`` runs, a few minutes on 2 cores; ``--full``
is the whole goal (scale 1, 20 s). ``--write-path`` chooses how the nodes store case creates and
handoffs: ``batch`` (group commit, :mod:`central.groupcommit`), ``plain`` (one transaction per
request through the case store) or ``both``, one after the other on fresh databases. ``--rounds N`` measures each
setup N times, alternating their order (on a shared machine, what else runs changes by the
minute). ``--lines pair,step`` sends only those lines (what each costs alone: the CPU line
says per request). ``--workers`` is per node (1, as tests/e2e/multinode.py runs them). Needs
PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped afterwards) and haproxy; otherwise it
says so and skips.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _central_load import FLEET, WARMUP_S, closed_loop, pct  # noqa: E402 - the sibling module
from _peak_measure import (  # noqa: E402
    CpuMeter,
    backend_pids,
    node_log_summary,
    node_times,
    print_cpu,
    report,
    tree,
)
from _peak_profile import (  # noqa: E402
    LINES,
    PAIR_RATE,
    SESSION_REUSE_S,
    STEP_RATE,
    Fixture,
    Stats,
    make_fixture,
    run_window,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


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
    parser.add_argument(
        "--scale", type=float, default=0.05, help="of every rate and the fleet (--full: 1)"
    )
    parser.add_argument("--seconds", type=float, default=8, help="per setup (--full: 20)")
    parser.add_argument(
        "--full", action="store_true", help="the whole goal: --scale 1 --seconds 20"
    )
    parser.add_argument(
        "--write-path",
        choices=["batch", "plain", "both"],
        default="batch",
        help="case creates and handoffs group-committed, one transaction each, or both in turn",
    )
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
    if args.full:
        args.scale, args.seconds = 1.0, 20.0
    from tests.e2e.multinode import HAPROXY

    if args.only != "one" and not (shutil.which("haproxy") or os.path.exists(HAPROXY)):
        print("bench_peak: SKIPPED (haproxy is not installed; --only one runs without it)")
        return 0
    from central.groupcommit import WRITE_PATH_ENV
    from central.web.testkit import fresh_postgres

    paths = ["batch", "plain"] if args.write_path == "both" else [args.write_path]
    for path in paths:
        os.environ[WRITE_PATH_ENV] = path  # the nodes inherit it (central.groupcommit.writer)
        print(f"\n== write path for case creates and handoffs: {path}")
        tmp = Path(tempfile.mkdtemp(prefix="bench_peak_"))
        with fresh_postgres() as db_url:
            if db_url is None:
                print("bench_peak: SKIPPED (PostgreSQL at 127.0.0.1:5432 is unreachable)")
                return 0
            run(args, db_url, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
