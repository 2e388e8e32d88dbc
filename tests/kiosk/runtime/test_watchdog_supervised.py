"""The watchdog under a supervisor that speaks systemd's notify protocol (as ``Type=notify`` with
``WatchdogSec`` and ``Restart=always`` do): a kiosk whose UI loop freezes is killed and started
again, and its outbox and badge lockout survive; a kiosk that keeps crashing stops flapping and
stays up out of service, still feeding the watchdog."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

WORKER = Path(__file__).resolve().parent / "watchdog_worker.py"
WATCHDOG_USEC = 1_500_000


@dataclass
class Supervisor:
    """What systemd does for the unit: reads READY/WATCHDOG/STATUS datagrams on NOTIFY_SOCKET,
    kills the service when WATCHDOG=1 stops for WatchdogSec, restarts it whenever it ends."""

    folder: Path
    mode: str
    address: str
    starts: int = 0
    watchdog_kills: int = 0
    lines: list[str] = field(default_factory=list)
    messages: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        bind = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        self.sock.bind(bind)
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> None:
        env = os.environ | {"NOTIFY_SOCKET": self.address, "WATCHDOG_USEC": str(WATCHDOG_USEC)}
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(self.folder), self.mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        self.starts += 1
        assert self.proc.stdout is not None
        self.lines.append(self.proc.stdout.readline().strip())

    def _stop(self, sig: int) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.communicate(timeout=30)

    def run(self, max_starts: int, pings_after_last_start: int) -> None:
        """Supervise until the service has sent that many WATCHDOG=1 since its latest start (or
        ``max_starts`` starts were used up)."""
        self._start()
        pings = 0
        while True:
            self.sock.settimeout(WATCHDOG_USEC / 1e6)
            try:
                fields = self.sock.recv(4096).decode().split("\n")
            except TimeoutError:
                fields = None
            assert self.proc is not None
            ended = self.proc.poll() is not None
            if fields is None or ended:
                if fields is None and not ended:  # WatchdogSec passed without a ping
                    self.watchdog_kills += 1
                    self._stop(signal.SIGKILL)
                else:
                    self._stop(signal.SIGTERM)
                if self.starts >= max_starts:
                    return
                self._start()
                pings = 0
                continue
            self.messages.append(fields)
            pings += "WATCHDOG=1" in fields
            if pings >= pings_after_last_start:
                self._stop(signal.SIGTERM)
                return

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self._stop(signal.SIGKILL)
        self.sock.close()


def test_a_frozen_ui_loop_is_restarted_and_the_outbox_and_lockout_survive(tmp_path):
    sup = Supervisor(tmp_path, "hang", str(tmp_path / "notify.sock"))
    try:
        sup.run(max_starts=4, pings_after_last_start=5)
    finally:
        sup.close()
    assert sup.watchdog_kills == 1 and sup.starts == 2
    first, second = sup.lines
    assert first == "started n=1 crash_loop=0 depth=2 locked=1"
    # The restarted kiosk still holds the case it had not sent (its two outbox rows) and the badge is still locked.
    assert second == "started n=2 crash_loop=0 depth=2 locked=1"
    assert ["READY=1", "STATUS=in service"] in sup.messages


def test_a_crash_loop_stops_flapping_and_stays_up_out_of_service(tmp_path):
    # An abstract-namespace socket ('@' in NOTIFY_SOCKET), as systemd itself uses.
    sup = Supervisor(tmp_path, "crash", "@omnikiosk-test-" + secrets.token_hex(6))
    try:
        sup.run(max_starts=10, pings_after_last_start=5)
    finally:
        sup.close()
    assert sup.lines == [
        "started n=1 crash_loop=0 depth=0 locked=0",
        "started n=2 crash_loop=0 depth=0 locked=0",
        "started n=3 crash_loop=1 depth=0 locked=0",
    ]
    assert sup.starts == 3 and sup.watchdog_kills == 0
    assert ["READY=1", "STATUS=out of service: crash loop"] in sup.messages
