"""Status decoding and the splitting of the printer → host stream."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peripherals.conditions import ActionHint, Condition
from peripherals.escpos.status import (
    AsbBlock,
    Completion,
    Noise,
    PrinterStatus,
    RealtimeStatus,
    StatusStream,
    expect_realtime,
    is_asb_start,
    is_realtime,
)


def test_bit_patterns_tell_frames_apart() -> None:
    assert is_realtime(0x12) and is_realtime(0x7E)
    assert not is_realtime(0x10) and is_asb_start(0x10)
    assert not is_asb_start(0x37) and not is_realtime(0x37)


def test_stream_split_across_reads() -> None:
    s = StatusStream()
    frames = s.feed(b"\x12\x18\x00")
    assert frames == [RealtimeStatus(0x12)]
    frames = s.feed(b"\x0f\x00\x37\x22" + b"00")
    assert frames == [AsbBlock(b"\x18\x00\x0f\x00")]
    assert s.feed(b"07\x00\xff\x1e") == [Completion(b"0007"), Noise(b"\xff"), RealtimeStatus(0x1E)]


def test_expect_realtime_skips_other_frames() -> None:
    assert expect_realtime(b"\x10\x00") is None  # ASB start, incomplete
    assert expect_realtime(b"\x10\x00\x00\x00\x12") == -4
    assert expect_realtime(b"\x37\x22" + b"0001\x00") == -7
    assert expect_realtime(b"\x12") == 1
    assert expect_realtime(b"\xff") == -1


def codes(status: PrinterStatus) -> tuple[Condition, list[str]]:
    condition, faults = status.assess()
    return condition, [f.code for f in faults]


def test_realtime_decoding_per_bit() -> None:
    ok = PrinterStatus.from_realtime({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12})
    assert codes(ok) == (Condition.ONLINE, [])
    assert codes(PrinterStatus.from_realtime({1: 0x1A})) == (Condition.OFFLINE, ["offline"])
    assert codes(PrinterStatus.from_realtime({1: 0x1A, 2: 0x16})) == (
        Condition.USER_ERROR,
        ["cover_open"],
    )
    assert codes(PrinterStatus.from_realtime({1: 0x1A, 2: 0x32, 4: 0x7E})) == (
        Condition.USER_ERROR,
        ["paper_out"],
    )
    assert codes(PrinterStatus.from_realtime({4: 0x1E})) == (Condition.ONLINE, ["paper_near_end"])
    assert codes(PrinterStatus.from_realtime({1: 0x1A, 2: 0x52, 3: 0x1A})) == (
        Condition.HARDWARE_ERROR,
        ["cutter_error"],
    )
    assert codes(PrinterStatus.from_realtime({3: 0x32}))[1] == ["unrecoverable_error"]
    assert codes(PrinterStatus.from_realtime({3: 0x52}))[1] == ["auto_recoverable_error"]
    assert codes(PrinterStatus.from_realtime({3: 0x16}))[1] == ["mechanical_error"]


def test_hints() -> None:
    _, faults = PrinterStatus(paper_end=True, cutter_error=True, auto_recoverable=True).assess()
    hints = {f.code: f.hint for f in faults}
    assert hints == {
        "paper_out": ActionHint.CLEAR,
        "cutter_error": ActionHint.MAINTENANCE,
        "auto_recoverable_error": ActionHint.RESET,
    }


def test_asb_decoding() -> None:
    assert codes(PrinterStatus.from_asb(b"\x10\x00\x00\x00")) == (Condition.ONLINE, [])
    assert codes(PrinterStatus.from_asb(b"\x18\x00\x0f\x00")) == (
        Condition.USER_ERROR,
        ["paper_out"],
    )
    assert codes(PrinterStatus.from_asb(b"\x38\x00\x00\x00")) == (
        Condition.USER_ERROR,
        ["cover_open"],
    )
    assert codes(PrinterStatus.from_asb(b"\x10\x00\x03\x00")) == (
        Condition.ONLINE,
        ["paper_near_end"],
    )
    assert codes(PrinterStatus.from_asb(b"\x18\x08\x00\x00"))[1] == ["cutter_error"]


@given(st.lists(st.binary(max_size=40), max_size=20))
def test_splitter_never_loses_sync_forever(chunks: list[bytes]) -> None:
    """Any garbage: no exception, every byte accounted for or still buffered (≤ 6 bytes)."""
    s = StatusStream()
    total = 0
    for chunk in chunks:
        for frame in s.feed(chunk):
            total += {RealtimeStatus: 1, AsbBlock: 4, Completion: 7}.get(type(frame), 0) or len(
                getattr(frame, "data", b"")
            )
    assert sum(map(len, chunks)) - total <= 6
