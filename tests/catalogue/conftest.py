"""Fixture: a small valid catalogue written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_helpers import LIFE_EVENTS, good_service


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    """A folder with the life events and one good service (``good.toml``)."""
    folder = tmp_path / "services"
    folder.mkdir()
    (folder / "_life_events.toml").write_text(LIFE_EVENTS, encoding="utf-8")
    (folder / "good.toml").write_text(good_service(), encoding="utf-8")
    return folder
