"""The processes the demo runs beside the kiosk: a central service on SQLite, device emulators and,
when there is no display, a virtual screen (Xvfb). Each is a real process started through our own
console scripts, exactly as an operator would start them; all are stopped when the demo ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


class DemoError(RuntimeError):
    """A part of the demo could not start; the message says which and why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    """Everything started so far, stopped in reverse order by :meth:`close`."""

    out: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        log = self.out / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.logs.append(log)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=log.open("wb"),
            env={**os.environ, **(env or {})},
        )
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if proc.stdout is not None:
                proc.stdout.close()
        self.procs.clear()


@dataclass
class Central:
    url: str
    db_url: str
    port: int
    office: str
    device_token: str = ""
    staff_user: str = "demo-staff"
    staff_password: str = "demo staff password 2026"
    proc: subprocess.Popen[bytes] | None = None


def _get_json(url: str, timeout: float = 2.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
        return json.loads(r.read())


def serve_central(stack: Stack, central: Central, catalogue_dir: Path) -> None:
    """`kiosk-central serve` (again, after an outage: same port, same database)."""
    env = {"KIOSK_CENTRAL_BASE_URL": central.url, "KIOSK_CENTRAL_CATALOGUE": str(catalogue_dir)}
    cmd = [str(BIN / "kiosk-central"), "serve", "--db", central.db_url, "--port", str(central.port)]
    central.proc = proc = stack.spawn("central", cmd, env)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise DemoError(
                f"kiosk-central serve exited with {proc.returncode}: see {stack.logs[-1]}"
            )
        with contextlib.suppress(OSError, ValueError):
            if _get_json(f"{central.url}/readyz").get("status") == "ok":
                return
        if time.monotonic() > deadline:
            raise DemoError(f"central did not become ready in 60 s: see {stack.logs[-1]}")
        time.sleep(0.2)


def stop_central(central: Central) -> None:
    """The network drops: from the kiosk's side, central stops answering."""
    if central.proc is not None:
        central.proc.terminate()
        central.proc.wait(timeout=15)


def register_device(central: Central, name: str = "demo kiosk") -> str:
    """`kiosk-central add-device`: the kiosk's token (printed once)."""
    out = subprocess.run(
        [str(BIN / "kiosk-central"), "add-device", "--db", central.db_url, "--office",
         central.office, "--name", name, "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise DemoError(f"add-device failed: {out.stderr.strip()}")
    return str(json.loads(out.stdout)["token"])


def start_central(stack: Stack, office: str, catalogue_dir: Path) -> Central:
    """Central on a SQLite file in the output folder; this kiosk registered; one staff user."""
    port = free_port()
    central = Central(
        f"http://127.0.0.1:{port}", f"sqlite:///{stack.out / 'central.db'}", port, office
    )
    serve_central(stack, central, catalogue_dir)
    central.device_token = register_device(central)
    out = subprocess.run(
        [str(BIN / "kiosk-central"), "add-staff", "--db", central.db_url, "--username",
         central.staff_user, "--role", "staff", "--office", office, "--password-stdin"],
        input=central.staff_password + "\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise DemoError(f"add-staff failed: {out.stderr.strip()}")
    return central


def start_emulator(stack: Stack, device: str, env: dict[str, str] | None = None) -> str:
    """`kiosk emulate DEVICE`; returns the port URL it prints first."""
    proc = stack.spawn(f"emulate-{device}", [str(BIN / "kiosk"), "emulate", device], env)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    if not line:
        raise DemoError(f"`kiosk emulate {device}` printed no port: see {stack.logs[-1]}")
    return line


def start_xvfb(stack: Stack, force: bool = False) -> str | None:
    """A virtual screen for the Kivy window when there is no display (or always, with ``force``);
    its DISPLAY, or None."""
    if os.environ.get("DISPLAY") and not force:
        return os.environ["DISPLAY"]
    if shutil.which("Xvfb") is None:
        return None
    for n in range(90, 140):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        display = f":{n}"
        proc = stack.spawn(
            "xvfb", ["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"]
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return display
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    return None
