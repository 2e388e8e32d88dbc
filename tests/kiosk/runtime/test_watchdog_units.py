"""The watchdog's parts with a fake clock and a datagram socket of the test's own: what systemd is
told, when the crash-loop guard trips and forgets, the memory-budget restart waiting for the session
to end, the crash loop's out-of-service message in both languages and in the heartbeat, the display
following the office's hours, and the kiosk.toml sections that configure all of it."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalogue.opening_hours import parse_hours
from kiosk.config import ConfigError, load_kiosk_config
from kiosk.runtime.commands import Activity, ServiceState
from kiosk.runtime.display_schedule import DisplaySchedule, XsetDisplay
from kiosk.runtime.fleet import FleetAgent
from kiosk.runtime.watchdog import (
    CrashLoopGuard,
    MemoryBudget,
    Notifier,
    Watchdog,
    WatchdogSettings,
    for_runtime,
    resident_bytes,
)
from tests.support.clocks import StepClock


@pytest.fixture
def notify(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(5)
    yield sock, str(tmp_path / "notify")
    sock.close()


def received(sock: socket.socket) -> list[list[str]]:
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode().split("\n"))
    except BlockingIOError:
        return out
    finally:
        sock.settimeout(5)


def test_without_notify_socket_nothing_is_sent_and_the_watchdog_pid_must_be_ours():
    assert Notifier.from_env({}).send("READY=1") is False
    other = Notifier.from_env({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000",
                               "WATCHDOG_PID": "1"})  # fmt: skip
    assert other.ping_every_s is None
    mine = Notifier.from_env({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000"})
    assert mine.ping_every_s == 15.0


def test_a_missing_socket_is_reported_not_raised(tmp_path):
    assert Notifier(str(tmp_path / "gone")).send("WATCHDOG=1") is False


def test_the_guard_trips_on_the_nth_start_in_the_window_and_forgets_old_ones(tmp_path):
    clock = StepClock(1_800_000_000.0)
    guard = CrashLoopGuard(tmp_path, max_starts=3, window_s=600, clock=clock)
    assert guard.record_start() is False
    clock.now += 400
    assert guard.record_start() is False
    clock.now += 300  # the first start is now older than the window
    assert guard.record_start() is False
    clock.now += 10
    assert guard.record_start() is True
    again = CrashLoopGuard(tmp_path, max_starts=3, window_s=600, clock=clock)
    assert again.tripped  # counted on disk: a new process sees it
    again.clear()
    assert not guard.tripped


def test_an_unreadable_record_counts_as_no_history(tmp_path):
    (tmp_path / "watchdog-starts.json").write_text("{not json")
    guard = CrashLoopGuard(tmp_path, max_starts=2, window_s=600, clock=StepClock(1_800_000_000.0))
    assert guard.record_start() is False
    assert guard.record_start() is True


def test_resident_memory_from_statm(tmp_path):
    statm = tmp_path / "statm"
    statm.write_text("50000 1000 300 10 0 900 0\n")
    import os

    assert resident_bytes(statm) == 1000 * os.sysconf("SC_PAGE_SIZE")
    assert resident_bytes(tmp_path / "absent") is None
    assert resident_bytes() > 0  # this process, from /proc/self/statm


def test_memory_over_budget_restarts_only_between_sessions_and_is_not_a_crash(tmp_path, notify):
    sock, address = notify
    clock = StepClock(1_800_000_000.0)
    guard = CrashLoopGuard(tmp_path, max_starts=3, window_s=600, clock=clock)
    rss = {"now": 100 * 2**20}
    between = {"now": False}
    restarts: list[int] = []
    dog = Watchdog(
        Notifier(address, 30_000_000),
        guard,
        MemoryBudget(200 * 2**20, read=lambda: rss["now"]),
        between_sessions=lambda: between["now"],
        restart=lambda: restarts.append(1),
    )
    dog.started()
    dog.tick()
    assert received(sock) == [["READY=1", "STATUS=in service"], ["WATCHDOG=1"]]
    rss["now"] = 300 * 2**20
    dog.tick()  # a citizen is mid-form: no restart
    assert restarts == [] and received(sock) == [["WATCHDOG=1"]]
    between["now"] = True
    dog.tick()
    dog.tick()
    assert restarts == [1]
    assert received(sock) == [
        ["WATCHDOG=1"],
        ["STOPPING=1", "STATUS=restarting: memory over budget"],
    ]
    assert guard.recent() == []  # the planned restart is not counted towards a crash loop


class FakeSender:
    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def heartbeat(self, body: dict) -> dict:
        self.bodies.append(body)
        return {"interval_s": 30}


def test_a_crash_loop_shows_out_of_service_in_both_languages_and_tells_central(tmp_path, notify):
    sock, address = notify
    service, activity = ServiceState(), Activity()
    dog = for_runtime(
        WatchdogSettings(crash_restarts=2), tmp_path, service, activity, ("en", "cy"),
        environ={"NOTIFY_SOCKET": address},
    )  # fmt: skip
    dog.started()
    assert service.in_service
    dog.started()  # the second start within ten minutes
    assert service.text("en") == (
        "This kiosk is out of service just now. Please ask a member of staff for help, "
        "or use our website."
    )
    assert service.text("cy") == (
        "Mae’r ciosg hwn allan o wasanaeth ar hyn o bryd. Gofynnwch i aelod o staff am help, "
        "neu defnyddiwch ein gwefan."
    )
    assert received(sock)[-1] == ["READY=1", "STATUS=out of service: crash loop"]
    sender = FakeSender()
    agent = FleetAgent(sender, lambda: dog.states(), lambda: 0,
                       activity=lambda: activity.snapshot(service))  # fmt: skip
    agent.beat()
    body = sender.bodies[-1]
    assert body["activity"]["screen"] == "out_of_service"
    assert body["device_states"]["watchdog"]["state"] == "crash_loop"
    assert body["device_states"]["watchdog"]["faults"][0]["message"] == "2 starts in 10 min"
    service.set(None)  # an admin's "in service"
    agent.beat()
    assert "watchdog" not in sender.bodies[-1]["device_states"]
    assert not dog.guard.tripped


class FakeDisplay:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def awake(self) -> None:
        self.calls.append("awake")

    def asleep(self) -> None:
        self.calls.append("asleep")


def test_the_display_never_blanks_in_opening_hours_and_sleeps_outside():
    hours = parse_hours({"mon": "08:30-17:00", "sat": "09:00-12:30"}, "Europe/London")
    now = {"t": datetime(2026, 3, 2, 8, 0, tzinfo=UTC)}  # a Monday, 08:00 in London (GMT)
    display = FakeDisplay()
    schedule = DisplaySchedule(hours, display, lambda: now["t"])
    assert schedule.tick() == "asleep"
    assert schedule.tick() == "asleep"
    assert display.calls == ["asleep"]  # not forced off again and again
    schedule.touched()  # a touch at 08:10 lit it: back to sleep at the next tick
    assert schedule.tick() == "asleep" and display.calls == ["asleep", "asleep"]
    now["t"] += timedelta(minutes=30)
    schedule.tick()
    schedule.tick()
    assert display.calls[2:] == ["awake", "awake"]  # re-asserted: no screen saver may win
    now["t"] = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert schedule.tick() == "asleep"
    now["t"] = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # Tuesday: closed all day
    assert schedule.tick() == "asleep"


def test_xset_lines_and_a_failing_display_does_not_stop_the_kiosk():
    lines: list[tuple[str, ...]] = []
    XsetDisplay(run=lambda args: lines.append(tuple(args))).awake()
    XsetDisplay(run=lambda args: lines.append(tuple(args))).asleep()
    assert lines == [("s", "off"), ("-dpms",), ("dpms", "force", "on"),
                     ("+dpms",), ("dpms", "force", "off")]  # fmt: skip

    def broken(args):
        raise FileNotFoundError("xset")

    schedule = DisplaySchedule(
        parse_hours(None), XsetDisplay(run=broken), lambda: datetime.now(UTC)
    )
    assert schedule.tick() == "awake"


KIOSK_TOML = """\
kiosk_id = "cdf-01"
central_url = "https://central.example.gov.uk/"
data_dir = "data"

[office]
id = "cardiff"
name = "Cardiff Jobcentre"
{hours}

[watchdog]
{watchdog}
"""


def test_kiosk_toml_gives_the_hours_and_the_watchdog(tmp_path: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK_TOML.format(
        hours='hours = { mon = "08:30-17:00", fri = "08:30-12:00,13:00-16:30" }',
        watchdog="memory_budget_mb = 400\ncrash_restarts = 4\ncrash_window_min = 15",
    ))  # fmt: skip
    config = load_kiosk_config(path)
    assert config.watchdog == WatchdogSettings(400, 4, 15)
    friday = datetime(2026, 3, 6, 12, 30, tzinfo=UTC)
    assert not config.office.hours.is_open(friday)
    assert config.office.hours.is_open(friday + timedelta(hours=1))


def test_bad_hours_and_watchdog_values_are_config_errors(tmp_path: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK_TOML.format(hours='hours = { mon = "17:00-08:30", funday = "" }',
                                      watchdog="memory_budget_mb = 1\nmistake = 2"))  # fmt: skip
    with pytest.raises(ConfigError) as err:
        load_kiosk_config(path)
    text = str(err.value)
    assert "unknown weekday 'funday'" in text
    assert "memory_budget_mb must be at least 64" in text
    assert "mistake" in text
