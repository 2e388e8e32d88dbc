"""Two threads reporting at once (the reader with an ASB block, the status poll): the events on the
bus come in the order the reports were recorded, so the last one says what the device is now."""

from __future__ import annotations

import threading

from peripherals.model import (
    ActionHint,
    Condition,
    Device,
    DeviceEvent,
    EventBus,
    Fault,
    FaultCleared,
    FaultRaised,
    HealthLevel,
    HealthResult,
    StatusChanged,
)

PAPER = Fault("paper_out", Condition.USER_ERROR, ActionHint.CLEAR, "Out of paper.")


class Fake(Device):
    driver = "fake"

    def _open(self) -> None:
        pass

    def _close(self) -> None:
        pass

    def _check_health(self, level: HealthLevel) -> HealthResult:
        return HealthResult(self.name, level, True, self.condition, self.faults, "fine")


class SlowFirstFault(EventBus):
    """A bus whose publisher is paused at its first FaultRaised until the other report is done
    (or 0.5 s passed, when the other report cannot start before this one has published)."""

    def __init__(self) -> None:
        super().__init__(threaded=False)
        self.other_done = threading.Event()
        self.paused = threading.Event()

    def publish(self, event: DeviceEvent) -> None:
        if isinstance(event, FaultRaised) and not self.paused.is_set():
            self.paused.set()
            self.other_done.wait(0.5)
        super().publish(event)


def test_a_report_that_overtakes_another_is_published_after_it() -> None:
    bus = SlowFirstFault()
    got: list[DeviceEvent] = []
    bus.subscribe(got.append)
    d = Fake("printer", bus=bus)
    d.open()
    bus.drain()
    got.clear()

    poll = threading.Thread(target=d._report, args=(Condition.USER_ERROR, (PAPER,), "status poll"))
    poll.start()
    assert bus.paused.wait(2.0)  # the poll recorded "paper out" and is publishing it …
    reader = threading.Thread(target=d._report, args=(Condition.ONLINE, (), "automatic status"))
    reader.start()  # … when the reader records "paper loaded"
    reader.join(0.3)
    bus.other_done.set()
    poll.join(2.0)
    reader.join(2.0)
    bus.drain()

    assert d.faults == ()
    faults = [
        (type(e).__name__, e.fault.code) for e in got if isinstance(e, FaultRaised | FaultCleared)
    ]
    assert faults == [("FaultRaised", "paper_out"), ("FaultCleared", "paper_out")]
    last = [e for e in got if isinstance(e, StatusChanged)][-1]
    assert last.faults == () and last.condition is Condition.ONLINE
