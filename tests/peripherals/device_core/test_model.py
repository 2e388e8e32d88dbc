"""Device model: state transitions, fault reporting, events, the bus."""

from __future__ import annotations

import threading

import pytest

import peripherals.model as model
from peripherals.errors import DeviceClosed, DeviceFault, IllegalStateTransition
from peripherals.model import (
    ActionHint,
    Condition,
    Device,
    DeviceState,
    EventBus,
    Fault,
    FaultCleared,
    FaultRaised,
    HealthLevel,
    HealthResult,
    StatusChanged,
)

PAPER = Fault("paper_out", Condition.USER_ERROR, ActionHint.CLEAR, "Out of paper.")
LOW = Fault("paper_near_end", Condition.ONLINE, ActionHint.CLEAR, "Low.", blocking=False)


class Fake(Device):
    driver = "fake"

    def _open(self) -> None:
        self.opened = True

    def _close(self) -> None:
        self.closed = True

    def _check_health(self, level: HealthLevel) -> HealthResult:
        return HealthResult(self.name, level, True, self.condition, self.faults, "fine")


def test_upos_numbers() -> None:
    assert [s.value for s in DeviceState] == [1, 2, 3, 4]
    assert [h.value for h in HealthLevel] == [1, 2, 3]
    assert HealthLevel.parse("external") is HealthLevel.EXTERNAL
    with pytest.raises(ValueError):
        HealthLevel.parse("loud")


def test_public_surface_is_declared() -> None:
    for name in model.__all__:
        assert hasattr(model, name), name


def test_lifecycle_publishes_status_changes() -> None:
    bus = EventBus(threaded=False)
    seen: list[StatusChanged] = []
    bus.subscribe(seen.append, StatusChanged)
    d = Fake("d", bus=bus)
    d.open()
    with d._busy("job"):
        assert d.state is DeviceState.BUSY
    d.close()
    bus.drain()
    assert [(e.old_state, e.new_state) for e in seen] == [
        (DeviceState.CLOSED, DeviceState.IDLE),
        (DeviceState.IDLE, DeviceState.BUSY),
        (DeviceState.BUSY, DeviceState.IDLE),
        (DeviceState.IDLE, DeviceState.CLOSED),
    ]


def test_illegal_transition_raises() -> None:
    d = Fake("d")
    with pytest.raises(IllegalStateTransition):
        d._set_state(DeviceState.BUSY)
    with pytest.raises(DeviceClosed), d._busy():
        pass


def test_faults_move_state_and_raise_events(tmp_path) -> None:
    bus = EventBus(threaded=False)
    events: list[object] = []
    bus.subscribe(events.append)
    d = Fake("d", bus=bus)
    d.open()
    d._report(Condition.ONLINE, [LOW])
    assert d.state is DeviceState.IDLE  # a warning does not stop the device
    d._report(Condition.USER_ERROR, [PAPER])
    assert d.state is DeviceState.ERROR
    with pytest.raises(DeviceFault) as err, d._busy():
        pass
    assert err.value.faults == (PAPER,)
    d._report(Condition.ONLINE, [])
    assert d.state is DeviceState.IDLE
    bus.drain()
    raised = [e.fault.code for e in events if isinstance(e, FaultRaised)]
    cleared = [e.fault.code for e in events if isinstance(e, FaultCleared)]
    assert raised == ["paper_near_end", "paper_out"]
    assert cleared == ["paper_near_end", "paper_out"]
    assert d.statistics.get("faults") == 2
    assert d.status()["condition"] == "online"


def test_closed_device_health_is_not_ok() -> None:
    d = Fake("d")
    assert d.check_health("internal").ok is False
    d.open()
    assert d.check_health("internal").to_dict()["ok"] is True


def test_threaded_bus_never_runs_subscribers_on_publisher_thread() -> None:
    bus = EventBus()
    got = threading.Event()
    where: list[str] = []

    def sub(event: object) -> None:
        where.append(threading.current_thread().name)
        got.set()

    bus.subscribe(sub)
    bus.publish(FaultRaised("d", PAPER))
    assert got.wait(2)
    bus.close()
    assert where == ["event-bus"]


def test_bad_subscriber_does_not_stop_delivery() -> None:
    bus = EventBus(threaded=False)
    good: list[object] = []

    def bad(event: object) -> None:
        raise RuntimeError("boom")

    bus.subscribe(bad)
    bus.subscribe(good.append)
    unsubscribe = bus.subscribe(good.append)
    unsubscribe()
    bus.publish(FaultRaised("d", PAPER))
    assert bus.drain() == 1
    assert len(good) == 1


def test_event_repr_hides_secrets() -> None:
    from peripherals.model import CardSwiped, CodeScanned

    assert "secret" not in repr(CodeScanned("s", data="https://x/#secret"))
    assert "f00d" not in repr(CardSwiped("c", masked_pan="•••• 1111", card_id="f00d"))
