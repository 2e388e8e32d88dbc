"""SerialTransport over real pseudo-terminals: framing, deadlines, unplug/replug, no leaks."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable

import pytest

from peripherals.emulators.pty_host import EmulatedDevice, PtyHost
from peripherals.errors import ConfigurationError, DeviceTimeout, DeviceUnavailable
from peripherals.transport import Backoff, Protocol, SerialTransport, UsbMatch


def wait_until(predicate: Callable[[], object], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return bool(predicate())


class Echo(EmulatedDevice):
    """Upper-cases what it gets; b'?' is answered with b'[event]' first, then b'!'."""

    def on_bytes(self, data: bytes) -> None:
        if data == b"?":
            self.send(b"[event]!")
        elif data != b"mute":
            self.send(data.upper())


class Recorder(Protocol):
    def __init__(self) -> None:
        self.data = b""
        self.made = 0
        self.lost: list[BaseException | None] = []

    def connection_made(self, transport: SerialTransport) -> None:
        self.made += 1
        transport.write(b"init")

    def data_received(self, data: bytes) -> None:
        self.data += data

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)


@pytest.fixture
def echo():
    host = PtyHost(Echo())
    host.start()
    yield host
    host.stop()


def _ends_with(token: bytes):
    """Matcher: the reply is `token`; bytes before it are not ours."""

    def match(buf: bytes) -> int | None:
        i = buf.find(token)
        if i == -1:
            return None
        return -i if i else len(token)

    return match


def _bang(buf: bytes) -> int | None:
    """Matcher: the reply is b'!'; anything before it is not ours."""
    i = buf.find(b"!")
    if i == -1:
        return None
    return -i if i else 1


def test_request_returns_reply_and_passes_other_bytes(echo: PtyHost) -> None:
    proto = Recorder()
    t = SerialTransport(echo.url, proto)
    assert t.open()
    assert wait_until(lambda: proto.data == b"INIT")  # init written in connection_made
    assert t.request(b"abc", lambda b: 3 if len(b) >= 3 else None, 1.0) == b"ABC"
    assert t.request(b"xyz", _ends_with(b"XYZ"), 1.0) == b"XYZ"
    assert t.request(b"?", _bang, 1.0) == b"!"
    assert wait_until(lambda: proto.data.endswith(b"[event]"))
    t.close()
    assert proto.lost == [None]


def test_request_deadline_is_short_and_exact(echo: PtyHost) -> None:
    proto = Recorder()
    t = SerialTransport(echo.url, proto)
    t.open()
    assert wait_until(lambda: proto.data == b"INIT")
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        t.request(b"mute", lambda b: 1, 0.1)  # the device stays silent
    assert 0.09 <= time.monotonic() - start < 0.5
    t.close()


def test_request_from_reader_thread_is_refused(echo: PtyHost) -> None:
    errors: list[BaseException] = []

    class Nested(Recorder):
        def data_received(self, data: bytes) -> None:
            try:
                self.transport.request(b"x", lambda b: 1, 0.1)
            except RuntimeError as exc:
                errors.append(exc)

        def connection_made(self, transport: SerialTransport) -> None:
            self.transport = transport

    t = SerialTransport(echo.url, Nested())
    t.open()
    t.write(b"hi")
    assert wait_until(lambda: errors)
    t.close()


def test_bad_url_and_absent_port() -> None:
    with pytest.raises(ConfigurationError):
        SerialTransport("", Recorder())
    with pytest.raises(ConfigurationError):
        SerialTransport("nonsense://x", Recorder(), reconnect=False).open()
    with pytest.raises(DeviceUnavailable):
        SerialTransport("/nonexistent/tty", Recorder(), reconnect=False).open()


def test_loop_url_works_like_a_device() -> None:
    proto = Recorder()
    t = SerialTransport("loop://", proto)
    t.open()
    assert t.request(b"ping", lambda b: 4 if len(b) >= 4 else None, 1.0) == b"ping"
    t.close()


def test_absent_at_start_then_plugged(tmp_path) -> None:
    link = tmp_path / "printer"
    proto = Recorder()
    t = SerialTransport(str(link), proto, backoff=Backoff(base=0.01, cap=0.02))
    assert t.open() is False
    host = PtyHost(Echo(), link=link)
    host.start()
    try:
        assert t.wait_connected(3)
        assert t.request(b"ok", _ends_with(b"OK"), 1.0) == b"OK"
        assert t.reconnects == 1
    finally:
        t.close()
        host.stop()


def test_write_while_unplugged_is_translated(echo: PtyHost) -> None:
    t = SerialTransport(echo.url, Recorder(), backoff=Backoff(base=0.5, cap=0.5))
    t.open()
    echo.unplug()
    assert wait_until(lambda: not t.connected)
    with pytest.raises(DeviceUnavailable):
        t.write(b"lost")
    with pytest.raises(DeviceUnavailable):
        t.request(b"lost", lambda b: 1, 0.2)
    t.close()


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_unplug_replug_twenty_times_without_leaks(echo: PtyHost, tmp_path) -> None:
    from peripherals.stats import DeviceStats

    stats = DeviceStats("echo", tmp_path)
    proto = Recorder()
    t = SerialTransport(echo.url, proto, backoff=Backoff(base=0.005, cap=0.02), stats=stats)
    t.open()
    t.request(b"a", _ends_with(b"A"), 1.0)
    fds, threads = _fds(), threading.active_count()
    for i in range(20):
        echo.unplug()
        assert wait_until(lambda: not t.connected), i
        echo.replug()
        assert t.wait_connected(3), i
        assert t.request(b"r", _ends_with(b"R"), 1.0) == b"R", i
    assert t.reconnects == 20 and stats.get("reconnects") == 20
    assert proto.made == 21 and len(proto.lost) == 20
    assert all(isinstance(e, Exception) for e in proto.lost)
    assert _fds() == fds
    assert threading.active_count() == threads
    t.close()
    assert not [th for th in threading.enumerate() if th.name.startswith("reader-")]


def test_backoff_full_jitter_with_injected_sleep(tmp_path) -> None:
    delays: list[float] = []
    link = tmp_path / "none"
    rng = random.Random(7)
    backoff = Backoff(base=0.1, cap=0.8, rng=rng)
    done = threading.Event()

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) >= 8:
            done.set()
            t._stop.set()

    t = SerialTransport(str(link), Recorder(), backoff=backoff, sleep=sleep)
    t.open()
    assert done.wait(3)
    t.close()
    expected_rng = random.Random(7)
    expected = [expected_rng.uniform(0, min(0.8, 0.1 * 2**n)) for n in range(8)]
    assert delays[:8] == pytest.approx(expected)
    assert max(delays) <= 0.8


def test_usb_match_refinds_port(monkeypatch) -> None:
    class Port:
        def __init__(self, device: str, vid: int, pid: int, serial_number: str) -> None:
            self.device, self.vid, self.pid, self.serial_number = device, vid, pid, serial_number

    ports = [Port("/dev/ttyUSB0", 0x04B8, 0x0202, "A"), Port("/dev/ttyUSB3", 0x04B8, 0x0E28, "B")]
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: ports)
    assert UsbMatch(vid=0x04B8, pid=0x0E28).find() == "/dev/ttyUSB3"
    assert UsbMatch(serial_number="A").find() == "/dev/ttyUSB0"
    assert UsbMatch(vid=0x1234).find() is None
