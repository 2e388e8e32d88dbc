"""The long poll's waiting room: one database probe per second for all waiting kiosks of a process.

A thousand kiosks holding ``GET /devices/commands?wait=25`` would cost a thousand queries a second
if each looked for itself. Here each waiting request only awaits an :class:`asyncio.Event`; one task
per event loop asks the database every :data:`POLL_S` which of the waiting kiosks have a queued
command (one ``SELECT DISTINCT device_id … WHERE device_id IN (…)`` per 500 kiosks, in a short
transaction on a thread-pool thread, released at once) and wakes those. The waiter then takes its
commands with the usual conditional UPDATE, so waking two requests of one kiosk still delivers
each command once. Nothing is held while waiting: no thread, no connection, no transaction.

The probe reads the database, not this process's memory, so a command queued on another node (or
by the CLI) wakes the kiosk just the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from central.fleet.commands import COMMANDS

log = logging.getLogger(__name__)

POLL_S = 1.0
CHUNK = 500


class _Room:
    def __init__(self) -> None:
        self.waiting: dict[str, set[asyncio.Event]] = {}
        self.task: asyncio.Task[None] | None = None


class Waiters:
    def __init__(
        self, sessionmaker: Any, clock: Callable[[], datetime], poll_s: float = POLL_S
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.poll_s = poll_s
        self._rooms: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Room] = (
            weakref.WeakKeyDictionary()
        )
        self.probes = 0
        """Database probes made (for tests and benchmarks)."""

    async def wait(self, device_id: str, timeout: float) -> bool:
        """Until a command is queued for ``device_id`` (True) or ``timeout`` passed (False)."""
        if timeout <= 0:
            return False
        loop = asyncio.get_running_loop()
        room = self._rooms.get(loop)
        if room is None:
            room = self._rooms[loop] = _Room()
        event = asyncio.Event()
        room.waiting.setdefault(device_id, set()).add(event)
        if room.task is None or room.task.done():
            room.task = loop.create_task(self._run(room))
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            events = room.waiting.get(device_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del room.waiting[device_id]
            if not room.waiting and room.task is not None:
                room.task.cancel()  # the last one out: no task left behind on this loop
                room.task = None

    async def _run(self, room: _Room) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while room.waiting:
                await asyncio.sleep(self.poll_s)
                ids = list(room.waiting)
                if not ids:
                    break
                try:
                    ready = await run_in_threadpool(self._ready, ids)
                except Exception:  # noqa: BLE001 - the next probe tries again
                    log.warning("command probe failed", exc_info=True)
                    continue
                for device_id in ready:
                    for event in room.waiting.get(device_id, ()):
                        event.set()

    def _ready(self, ids: list[str]) -> set[str]:
        self.probes += 1
        now = self.clock()
        found: set[str] = set()
        with self.sessionmaker() as session:
            for start in range(0, len(ids), CHUNK):
                query = (
                    select(COMMANDS.c.device_id)
                    .distinct()
                    .where(COMMANDS.c.device_id.in_(ids[start : start + CHUNK]))
                    .where(COMMANDS.c.state == "queued", COMMANDS.c.expires_at > now)
                )
                found.update(session.scalars(query))
            session.rollback()
        return found
