"""The kiosk's remote-command handlers (issue 14 item 2) with fake effects and a fake channel: every
kind runs through the table and is reported; restart/reboot wait for the session to end; a
screenshot is refused during a session, within 60 s of a touch and off the attract/out-of-service
screens; out of service carries both languages; each id runs once; a report central did not take is
sent again; the fleet agent hands the heartbeat's commands over and drops ``activity`` for an old
central that refuses it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.link.errors import Offline, Rejected
from kiosk.runtime.commands import Activity, CommandRunner, Effects, ServiceState
from kiosk.runtime.fleet import FleetAgent
from tests.support.clocks import StepClock


class Channel:
    def __init__(self) -> None:
        self.reports: list[tuple[str, str, dict[str, Any]]] = []
        self.uploads: list[tuple[str, str, bytes]] = []
        self.offline = False
        self.queue: list[dict[str, Any]] = []

    def poll_commands(self, wait_s: int) -> list[dict[str, Any]]:
        found, self.queue = self.queue, []
        return found

    def report_result(self, command_id: str, status: str, result: dict[str, Any]) -> None:
        if self.offline:
            raise Offline("central unreachable (refused)")
        self.reports.append((command_id, status, result))

    def upload(self, command_id: str, content_type: str, data: bytes) -> None:
        self.uploads.append((command_id, content_type, data))


class Fakes:
    def __init__(self) -> None:
        self.done: list[str] = []

    def effects(self) -> Effects:
        return Effects(
            restart=lambda: self.done.append("restart"),
            reboot=lambda: self.done.append("reboot"),
            test_slip=lambda: self.done.append("slip") or {"printed": True},
            diagnostics=lambda: ({"healthy": True, "checks": 5}, b"%PDF-1.4 report"),
            fetch_config=lambda: {"services": 3},
            screenshot=lambda: self.done.append("shot") or b"\x89PNG fake",
        )


@pytest.fixture
def kit() -> tuple[CommandRunner, Channel, Fakes, StepClock]:
    channel, fakes, clock = Channel(), Fakes(), StepClock()
    runner = CommandRunner(channel, fakes.effects(), Activity(clock), ServiceState())
    return runner, channel, fakes, clock


def cmd(kind: str, n: int = 1, **args: Any) -> dict[str, Any]:
    return {"id": f"cmd_{kind}_{n}", "kind": kind, "args": args, "queued_at": "2026-12-02T09:00:00"}


def test_every_kind_runs_through_the_table_and_is_reported(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    kinds = ["test_slip", "diagnostics", "fetch_config", "restart", "reboot", "screenshot"]
    runner.handle([cmd(k) for k in kinds])
    assert [(r[0], r[1]) for r in channel.reports] == [(f"cmd_{k}_1", "done") for k in kinds]
    assert fakes.done == ["slip", "restart", "reboot", "shot"]
    assert channel.reports[1][2] == {"healthy": True, "checks": 5, "report": "uploaded"}
    assert channel.uploads == [
        ("cmd_diagnostics_1", "application/pdf", b"%PDF-1.4 report"),
        ("cmd_screenshot_1", "image/png", b"\x89PNG fake"),
    ]
    assert set(runner.handlers) == {
        "restart", "reboot", "diagnostics", "test_slip", "out_of_service", "in_service",
        "fetch_config", "screenshot",
    }  # fmt: skip


def test_each_command_runs_once_and_unknown_kinds_fail(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    runner.handle([cmd("test_slip"), cmd("test_slip")])
    runner.handle([cmd("test_slip")])
    runner.handle([cmd("self_destruct")])
    assert fakes.done == ["slip"]
    assert channel.reports[-1][1] == "failed" and "self_destruct" in channel.reports[-1][2]["error"]


def test_a_failing_effect_is_a_failed_command(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, _, _ = kit

    def jammed() -> dict[str, Any]:
        raise RuntimeError("paper out")

    runner.effects.test_slip = jammed
    runner.handle([cmd("test_slip")])
    assert channel.reports == [("cmd_test_slip_1", "failed", {"error": "RuntimeError: paper out"})]


def test_restart_reboot_and_out_of_service_wait_for_the_session_to_end(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    runner.activity.session(True)
    message = {"en": "Closed", "cy": "Ar gau"}
    runner.handle([cmd("reboot"), cmd("restart"), cmd("test_slip"),
                   cmd("out_of_service", message=message)])  # fmt: skip
    assert fakes.done == ["slip"] and [r[0] for r in channel.reports] == ["cmd_test_slip_1"]
    runner.tick()
    assert fakes.done == ["slip"] and runner.service.in_service  # the citizen is not covered up
    runner.activity.session(False)
    runner.tick()
    assert fakes.done == ["slip", "reboot", "restart"] and runner.service.message == message
    assert [r[:2] for r in channel.reports[1:]] == [
        ("cmd_reboot_1", "done"), ("cmd_restart_1", "done"), ("cmd_out_of_service_1", "done"),
    ]  # fmt: skip


class Machine:
    """Stands in for kiosk.session.Session: a state and an idle timer with the last touch."""

    class Timer:
        _last_activity = 0.0

    def __init__(self, state: str, clock: StepClock) -> None:
        self.state = state
        self._timer = Machine.Timer()
        self._clock = SimpleNamespace(monotonic=lambda: clock.now - 500)  # its own origin


def test_the_session_machine_is_read_for_activity(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, clock = kit
    machine = Machine("step", clock)
    runner.activity.watch(machine)
    machine._timer._last_activity = clock.now - 500 - 5
    assert runner.activity.snapshot() == {"session_active": True, "idle_s": 5, "screen": "step"}
    runner.handle([cmd("restart")])
    assert fakes.done == []
    machine.state = "attract"
    runner.tick()
    assert fakes.done == ["restart"]


def test_a_screenshot_is_refused_during_a_session_near_a_touch_and_off_attract(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, clock = kit
    runner.activity.session(True)
    runner.handle([cmd("screenshot", 1)])
    runner.activity.session(False)
    runner.activity.touched()
    clock.now += 59
    runner.handle([cmd("screenshot", 2)])
    clock.now += 2
    runner.activity.showing("step")
    runner.handle([cmd("screenshot", 3)])
    runner.activity.showing("attract")
    runner.handle([cmd("screenshot", 4)])
    refusals = [r[2].get("refused") for r in channel.reports]
    assert refusals[0] == "a citizen session is open"
    assert refusals[1] == "the screen was touched less than 60 seconds ago"
    assert "step screen" in refusals[2]
    assert channel.reports[3][1] == "done" and fakes.done == ["shot"]
    assert [u[0] for u in channel.uploads] == ["cmd_screenshot_4"]


def test_a_touch_while_the_screenshot_is_taken_discards_it(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, _, _ = kit

    def shot() -> bytes:
        runner.activity.touched()
        return b"\x89PNG"

    runner.effects.screenshot = shot
    runner.handle([cmd("screenshot")])
    assert channel.reports[0][1] == "failed" and channel.uploads == []


def test_out_of_service_in_both_languages_and_back(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, _, _ = kit
    seen: list[Any] = []
    runner.service.subscribe(seen.append)
    message = {"en": "Out of order, ask at the desk", "cy": "Allan o drefn, gofynnwch wrth y ddesg"}
    runner.handle([cmd("out_of_service", message=message)])
    assert runner.service.text("cy") == message["cy"] and runner.service.text("fr") == message["en"]
    assert runner.activity.snapshot(runner.service)["screen"] == "out_of_service"
    runner.handle([cmd("screenshot")])  # the out-of-service screen may be shot
    runner.handle([cmd("in_service")])
    assert runner.service.in_service and seen == [message, None]
    runner.handle([cmd("out_of_service", 2, message={"en": "only English"})])
    assert runner.service.in_service
    assert [r[1] for r in channel.reports] == ["done", "done", "done", "failed"]


def test_a_report_central_did_not_take_is_sent_again(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    channel.offline = True
    runner.handle([cmd("test_slip")])
    assert channel.reports == [] and len(runner.unreported) == 1
    channel.offline = False
    runner.tick()
    assert channel.reports == [("cmd_test_slip_1", "done", {"printed": True})]
    assert fakes.done == ["slip"]


def test_the_long_poll_hands_commands_to_the_table(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    channel.queue = [cmd("test_slip")]
    assert runner.poll_once() == 1 and fakes.done == ["slip"]
    assert runner.poll_once() == 0


class Sender:
    def __init__(self, answer: dict[str, Any], refuse_activity: bool = False) -> None:
        self.answer = answer
        self.refuse_activity = refuse_activity
        self.bodies: list[dict[str, Any]] = []

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        if self.refuse_activity and "activity" in body:
            raise Rejected(422, {"detail": "activity: extra inputs are not permitted"})
        return self.answer


def test_the_fleet_agent_hands_heartbeat_commands_to_the_runner(kit) -> None:  # type: ignore[no-untyped-def]
    runner, channel, fakes, _ = kit
    sender = Sender({"interval_s": 30, "commands": [cmd("test_slip")]})
    agent = FleetAgent(sender, lambda: {}, lambda: 0, activity=lambda: runner.activity.snapshot(),
                       on_commands=runner.handle)  # fmt: skip
    assert agent.beat().ok
    assert sender.bodies[0]["activity"] == {"session_active": False, "idle_s": None,
                                            "screen": "attract"}  # fmt: skip
    assert fakes.done == ["slip"] and channel.reports[0][1] == "done"


def test_an_older_central_refusing_activity_gets_beats_without_it() -> None:
    sender = Sender({"interval_s": 30}, refuse_activity=True)
    agent = FleetAgent(sender, lambda: {}, lambda: 0, activity=lambda: {"session_active": False})
    assert agent.beat().ok and agent.beat().ok
    assert ["activity" in b for b in sender.bodies] == [True, False, False]
