"""A real central service for the kiosk's tests: `kiosk-central serve` in its own process on a
loopback port, on a SQLite file of the test's own, with a registered kiosk. It can be stopped and
started again on the same port and database, the way a network outage looks from the kiosk."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveCentral:
    def __init__(self, folder: Path, office: str = "DEMO", db_url: str | None = None) -> None:
        self.folder = folder
        self.office = office
        self.db_url = db_url or f"sqlite:///{folder / 'central.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.device_id = ""

    def start(self) -> LiveCentral:
        log = (self.folder / "central.log").open("ab")
        env = {
            **os.environ,
            "KIOSK_CENTRAL_BASE_URL": self.url,
            "KIOSK_CENTRAL_CATALOGUE": str(ROOT / "config" / "services"),
        }
        self.proc = subprocess.Popen(
            [str(BIN / "kiosk-central"), "serve", "--db", self.db_url, "--port", str(self.port)],
            stdout=log, stderr=log, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, (self.folder / "central.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as r:
                    if json.loads(r.read()).get("status") == "ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "central did not become ready in 60 s"
            time.sleep(0.1)
        if not self.token:
            out = subprocess.run(
                [str(BIN / "kiosk-central"), "add-device", "--db", self.db_url, "--office",
                 self.office, "--name", "test kiosk", "--json"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            device = json.loads(out.stdout)
            self.token, self.device_id = device["token"], device["id"]
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def sql(self, query: str, *params: object) -> list[tuple]:
        """Read central's database directly: the rows are the proof, not the API's word."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(query), params[0] if params else {})]
        finally:
            engine.dispose()
