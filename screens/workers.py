"""Work that may block (network, printer) runs here, off the Kivy main loop.

:class:`Workers` runs a function on a daemon thread and hands its result back through
``Clock.schedule_once`` — the only way a result reaches a widget. Each job is stamped with the
*generation* current when it started; a wipe moves the generation on, so a late answer for the
previous person (a submission that finished after the idle wipe) is dropped, never shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

__all__ = ["Workers"]

log = logging.getLogger("screens.workers")


class Workers:
    def __init__(self) -> None:
        self.generation = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def new_person(self) -> None:
        """Forget every job in flight: their results will be dropped; polling stops."""
        self.generation += 1
        self.stop_polling()

    def run(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        name: str = "job",
    ) -> threading.Thread:
        stamp = self.generation

        def deliver(callback: Callable[[Any], None], value: Any) -> None:
            def on_main(_dt: float) -> None:
                if stamp == self.generation:
                    callback(value)
                else:
                    log.info("dropped the result of %s for a previous person", name)

            Clock.schedule_once(on_main, 0)

        def work() -> None:
            try:
                value = job()
            except Exception as exc:  # the citizen gets a sentence, the log the type
                log.warning("%s failed: %s", name, type(exc).__name__)
                if failed is not None:
                    deliver(failed, exc)
                return
            deliver(done, value)

        thread = threading.Thread(target=work, name=f"kiosk-{name}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def poll(
        self,
        check: Callable[[], str],
        changed: Callable[[str], None],
        every_s: float,
        final: frozenset[str] = frozenset({"claimed", "confirmed", "declined", "expired"}),
    ) -> None:
        """Call ``check()`` every ``every_s`` until it returns a final status; report changes."""
        self.stop_polling()
        stop = self._stop = threading.Event()
        stamp = self.generation

        def loop() -> None:
            last = None
            while not stop.is_set():
                try:
                    status = check()
                except Exception as exc:
                    log.warning("phone status check failed: %s", type(exc).__name__)
                    status = last or "pending"
                if status != last:
                    last = status

                    def tell(_dt: float, s: str = status) -> None:
                        if stamp == self.generation and not stop.is_set():
                            changed(s)

                    Clock.schedule_once(tell, 0)
                if status in final:
                    return
                stop.wait(every_s)

        thread = threading.Thread(target=loop, name="kiosk-phone-poll", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop_polling(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the threads (tests and shutdown)."""
        self.stop_polling()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
