"""The touchscreen app feeds systemd's watchdog from Kivy's own Clock (so a frozen UI loop stops the
pings): READY=1 once the loop runs, then WATCHDOG=1 every interval, to a NOTIFY_SOCKET datagram
socket of the test's own; a memory restart stops the running App."""

from __future__ import annotations

import contextlib
import socket
import time
from types import SimpleNamespace


def test_the_ui_loop_sends_ready_then_watchdog_pings(window, config, tmp_path):
    from kivy.base import EventLoop

    from kiosk.runtime.watchdog import CrashLoopGuard, MemoryBudget, Notifier, Watchdog
    from screens.out_of_service import _stop_app, wire_watchdog

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    dog = Watchdog(
        Notifier(str(tmp_path / "notify"), watchdog_usec=400_000),  # a ping every 0.2 s
        CrashLoopGuard(tmp_path, 5, 600),
        MemoryBudget(2**40),
        between_sessions=lambda: True,
        restart=lambda: None,
    )
    events = wire_watchdog(SimpleNamespace(watchdog=dog), config)
    got: list[list[str]] = []
    try:
        assert dog.restart is _stop_app  # a memory restart stops the running App
        deadline = time.monotonic() + 15  # Kivy's Clock runs on real time
        while sum(m == ["WATCHDOG=1"] for m in got) < 3:
            assert time.monotonic() < deadline, f"the Clock sent only {got}"
            EventLoop.idle()
            with contextlib.suppress(BlockingIOError):
                got.append(sock.recv(4096).decode().split("\n"))
    finally:
        for event in events:
            event.cancel()
        sock.close()
    assert got[0] == ["READY=1", "STATUS=in service"]
    assert dog.interval_s == 0.2
