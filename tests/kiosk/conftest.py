"""Fixtures shared by the kiosk tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_central import LiveCentral


@pytest.fixture
def live_central(tmp_path) -> Iterator[LiveCentral]:
    central = LiveCentral(tmp_path).start()
    yield central
    central.stop()
