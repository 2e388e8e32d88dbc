"""What bench/bench_peak.py measures besides latency, and how it prints: CPU seconds per group of
processes (the generator, the nodes, HAProxy, this database's PostgreSQL backends, the machine),
the nodes' own access-log times, and the table per line with its verdict against the goal.

Reads /proc only (Linux); a process gone between two readings loses at most its last second.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _central_load import pct  # noqa: E402 - the sibling module, found through the line above
from _peak_profile import GOAL_P99_MS, STEP, Stats  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


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
