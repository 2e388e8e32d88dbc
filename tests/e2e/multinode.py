"""Several central nodes behind the real HAProxy of deploy/haproxy.cfg, on one PostgreSQL database.

Each node is ``kiosk-central serve`` in its own process (one worker), started together on an
unmigrated database so their migrations race (the advisory lock decides). The balancer runs the
shipped configuration with only its bind address and server lines rewritten to loopback ports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.kiosk.live_central import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def http(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, Any]]:
    """One request, no retry: (status, JSON body or {})."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw) if raw else {}
        except ValueError:
            return exc.code, {}


class Node:
    def __init__(self, name: str, db_url: str, folder: Path, public_url: str) -> None:
        self.name = name
        self.db_url = db_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        self.public_url = public_url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Node:
        env = {
            **os.environ,
            "KIOSK_CENTRAL_BASE_URL": self.public_url,
            "KIOSK_CENTRAL_CATALOGUE": str(ROOT / "config" / "services"),
        }
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "kiosk-central"), "serve", "--db", self.db_url,
                 "--port", str(self.port), "--workers", "1", "--log-level", "info"],
                stdout=log, stderr=log, env=env,
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if http("GET", self.url + "/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, (
                f"{self.name} not ready: {self.log.read_text()[-2000:]}"
            )
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Balancer:
    """HAProxy with deploy/haproxy.cfg, its bind and servers pointed at loopback."""

    def __init__(self, folder: Path, nodes: list[Node]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.nodes = nodes
        self.proc: subprocess.Popen[bytes] | None = None

    def config_text(self) -> str:
        shipped = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
        text, binds = re.subn(r"(?m)^(\s*)bind \S+", rf"\1bind 127.0.0.1:{self.port}", shipped)
        assert binds == 1, "deploy/haproxy.cfg must have one bind line"
        servers = "\n".join(f"    server {n.name} 127.0.0.1:{n.port} check" for n in self.nodes)
        text, found = re.subn(r"(?m)^\s*server \S+ \S+ check\n?", "", text)
        assert found >= 1, "deploy/haproxy.cfg must list its servers"
        return text.rstrip("\n") + "\n" + servers + "\n"

    def start(self) -> Balancer:
        path = self.folder / "haproxy.cfg"
        path.write_text(self.config_text(), encoding="utf-8")
        check = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        with (self.folder / "haproxy.log").open("ab") as log:
            self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(path)], stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if http("GET", self.url + "/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            assert time.monotonic() < deadline, (self.folder / "haproxy.log").read_text()[-2000:]
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def kiosk_central(*args: str) -> str:
    done = subprocess.run(
        [str(BIN / "kiosk-central"), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_device(db_url: str, office: str, name: str) -> tuple[str, str]:
    """(device id, token) registered with the real command."""
    out = json.loads(
        kiosk_central("add-device", "--db", db_url, "--office", office, "--name", name, "--json")
    )
    return out["id"], out["token"]
