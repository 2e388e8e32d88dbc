"""The log tail keeps the last lines, in order, from any thread, and hands out only new ones."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk.diagnostics import LogTail
from kiosk.diagnostics.log_tail import HIDDEN


@pytest.fixture
def logger():
    log = logging.getLogger("test.kiosk.diagnostics.tail")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    log.handlers.clear()


def test_keeps_only_the_last_lines_formatted(logger):
    tail = LogTail(capacity=3, fmt="%(levelname)s %(message)s").attach(logger)
    for i in range(5):
        logger.warning("line %d", i)
    assert tail.lines() == ["WARNING line 2", "WARNING line 3", "WARNING line 4"]
    assert tail.lines(last=2) == ["WARNING line 3", "WARNING line 4"]
    assert tail.lines(last=0) == []
    assert tail.version == 5
    assert tail.text(last=1) == "WARNING line 4"


def test_level_filters_debug_by_default(logger):
    tail = LogTail(fmt="%(message)s").attach(logger)
    logger.debug("noise")
    logger.info("kept")
    assert tail.lines() == ["kept"]


def test_since_returns_only_new_lines(logger):
    tail = LogTail(capacity=4, fmt="%(message)s").attach(logger)
    logger.info("a")
    version, new = tail.since(0)
    assert (version, new) == (1, ["a"])
    assert tail.since(version) == (1, [])
    logger.info("b")
    logger.info("c")
    assert tail.since(version) == (3, ["b", "c"])
    for ch in "defgh":
        logger.info(ch)
    # more new lines than the tail holds: what is left, not an error
    assert tail.since(3) == (8, ["e", "f", "g", "h"])


def test_traceback_lines_count_separately_and_long_lines_are_cut(logger):
    tail = LogTail(capacity=50, fmt="%(message)s").attach(logger)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed")
    lines = tail.lines()
    assert lines[0] == "failed"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "RuntimeError: boom"
    logger.info("x" * 1000)
    assert len(tail.lines(last=1)[0]) == 300


def test_bad_format_arguments_do_not_break_logging(logger, monkeypatch):
    monkeypatch.setattr(logging, "raiseExceptions", False)
    tail = LogTail(fmt="%(message)s").attach(logger)
    logger.info("%d items", "not a number")
    logger.info("after")
    assert tail.lines() == ["after"]


def test_detach_stops_collecting(logger):
    tail = LogTail(fmt="%(message)s").attach(logger)
    logger.info("one")
    tail.detach()
    logger.info("two")
    assert tail.lines() == ["one"]
    assert tail not in logger.handlers


def test_many_threads_lose_nothing(logger):
    tail = LogTail(capacity=10_000, fmt="%(message)s").attach(logger)

    def worker(n: int) -> None:
        for i in range(200):
            logger.info("t%d-%d", n, i)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = tail.lines()
    assert len(lines) == 1600 == tail.version
    assert len(set(lines)) == 1600
    for n in range(8):  # each thread's lines stay in its order
        mine = [int(x.split("-")[1]) for x in lines if x.startswith(f"t{n}-")]
        assert mine == list(range(200))


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        LogTail(capacity=0)


def test_long_digit_runs_are_hidden_but_times_and_counts_stay(logger):
    tail = LogTail(fmt="%(message)s").attach(logger)
    logger.warning("card 4929 1234 5678 9012 read at 12:30:45, 3 retries, job 000123")
    logger.warning("pan 4929123456789012 and 4929-1234-5678-9012")
    assert tail.lines() == [
        f"card {HIDDEN} read at 12:30:45, 3 retries, job 000123",
        f"pan {HIDDEN} and {HIDDEN}",
    ]
