"""The group-commit writer on its own: batching, results only after the write, and who gets which
error when a batch fails (a fake ``write`` that records what it "committed")."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from central.groupcommit import GroupCommit, WriterBusy


class FakeStore:
    """``write`` for GroupCommit: holds the first call until ``release`` (so the others queue up
    into one batch), refuses the whole transaction if it holds a ``poison`` item."""

    def __init__(self, fail_all: bool = False) -> None:
        self.committed: list[str] = []
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_all = fail_all

    def write(self, items: Sequence[str]) -> list[str]:
        self.calls.append(list(items))
        self.entered.set()
        self.release.wait(5)
        if self.fail_all:
            raise OperationalError("COMMIT", {}, Exception("database is away"))
        if "poison" in items:
            raise IntegrityError("INSERT", {}, Exception("constraint"))
        self.committed.extend(items)
        return [f"ok:{i}" for i in items]


async def _run(store: FakeStore, items: list[str]) -> list[object]:
    writer: GroupCommit[str, str] = GroupCommit(store.write, idle_s=0.2)
    first = asyncio.ensure_future(writer.submit("first"))
    await asyncio.to_thread(store.entered.wait, 5)  # the writer is busy with "first"
    rest = [asyncio.ensure_future(writer.submit(i)) for i in items]
    await asyncio.sleep(0.05)
    assert not any(f.done() for f in rest), "answered before the write"
    store.release.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


def test_queued_items_are_written_in_one_batch_and_answered_after_it() -> None:
    store = FakeStore()
    results = asyncio.run(_run(store, [f"b{i}" for i in range(20)]))
    assert results == ["ok:first"] + [f"ok:b{i}" for i in range(20)]
    assert store.calls == [["first"], [f"b{i}" for i in range(20)]]


def test_an_item_error_fails_only_its_caller() -> None:
    store = FakeStore()
    results = asyncio.run(_run(store, ["a", "poison", "b"]))
    assert results[0] == "ok:first" and results[1] == "ok:a" and results[3] == "ok:b"
    assert isinstance(results[2], IntegrityError)
    assert store.committed == ["first", "a", "b"]  # the good ones, retried one by one
    assert ["a", "poison", "b"] in store.calls


def test_a_transaction_error_fails_every_caller_of_the_batch() -> None:
    store = FakeStore(fail_all=True)
    results = asyncio.run(_run(store, ["a", "b"]))
    assert all(isinstance(r, OperationalError) for r in results), results
    assert store.committed == []


def test_too_many_waiting_is_refused_at_once() -> None:
    store = FakeStore()

    async def go() -> None:
        writer: GroupCommit[str, str] = GroupCommit(store.write, max_pending=2, idle_s=0.2)
        first = asyncio.ensure_future(writer.submit("first"))
        await asyncio.to_thread(store.entered.wait, 5)
        second = asyncio.ensure_future(writer.submit("second"))
        await asyncio.sleep(0)
        with pytest.raises(WriterBusy):
            await writer.submit("third")
        store.release.set()
        assert await asyncio.gather(first, second) == ["ok:first", "ok:second"]

    asyncio.run(go())
    assert store.committed == ["first", "second"]


def test_the_thread_stops_when_idle_and_restarts_on_demand() -> None:
    store = FakeStore()
    store.release.set()
    writer: GroupCommit[str, str] = GroupCommit(store.write, idle_s=0.05, name="gc-idle-test")

    def writers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == writer.name and t.is_alive()]

    assert asyncio.run(writer.submit("x")) == "ok:x"
    for _ in range(100):
        if not writers():
            break
        threading.Event().wait(0.02)
    assert not writers()
    assert asyncio.run(writer.submit("y")) == "ok:y"
    assert store.committed == ["x", "y"]
