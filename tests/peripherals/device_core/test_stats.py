"""Statistics survive restarts; a corrupt file never crashes the kiosk."""

from __future__ import annotations

import json
import logging

from peripherals.stats import DeviceStats


def test_counters_survive_restart(tmp_path) -> None:
    s = DeviceStats("receipt/1", tmp_path)
    s.increment("lines", 12)
    s.increment("cuts")
    again = DeviceStats("receipt/1", tmp_path)
    assert again.get("lines") == 12 and again.get("cuts") == 1
    assert again.snapshot()["swipes"] == 0
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["receipt_1.stats.json"]  # no tmp file left, name is safe
    assert json.loads(files[0].read_text())["counters"]["lines"] == 12


def test_corrupt_file_starts_fresh_with_warning(tmp_path, caplog) -> None:
    (tmp_path / "p.stats.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        s = DeviceStats("p", tmp_path)
    assert s.get("lines") == 0
    assert "unreadable" in caplog.text
    s.increment("lines")
    assert DeviceStats("p", tmp_path).get("lines") == 1


def test_wrong_shape_is_corrupt(tmp_path) -> None:
    (tmp_path / "p.stats.json").write_text('{"counters": {"lines": -3}}', encoding="utf-8")
    assert DeviceStats("p", tmp_path).get("lines") == 0


def test_memory_only(tmp_path) -> None:
    s = DeviceStats("p", None)
    assert s.increment("scans") == 1
    assert s.path is None
