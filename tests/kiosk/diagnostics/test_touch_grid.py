"""The touch grid maps window positions to cells as a person sees them and finds dead spots."""

from __future__ import annotations

import pytest

from kiosk.diagnostics import Cell, TouchGrid


def test_bottom_left_origin_maps_the_top_row_to_row_zero():
    grid = TouchGrid(4, 3, (400, 300))
    assert grid.hit(10, 290) == Cell(0, 0)  # Kivy: y grows upwards, so this is the top left
    assert grid.hit(390, 10) == Cell(2, 3)
    assert grid.hit(150, 150) == Cell(1, 1)


def test_top_left_origin():
    grid = TouchGrid(4, 3, (400, 300), origin="top-left")
    assert grid.hit(10, 290) == Cell(2, 0)
    assert grid.hit(10, 10) == Cell(0, 0)


def test_edges_belong_to_the_last_cell_and_outside_is_counted():
    grid = TouchGrid(2, 2, (100, 100))
    assert grid.hit(100, 0) == Cell(1, 1)
    assert grid.hit(0, 100) == Cell(0, 0)
    assert grid.hit(-1, 50) is None
    assert grid.hit(50, 101) is None
    assert grid.outside == 2
    assert grid.touched == 2


def test_missed_cells_in_reading_order_and_completion():
    grid = TouchGrid(3, 2, (300, 200))
    grid.hit(50, 150)  # row 0 col 0
    grid.hit(250, 50)  # row 1 col 2
    assert grid.missed() == [Cell(0, 1), Cell(0, 2), Cell(1, 0), Cell(1, 1)]
    assert not grid.complete and grid.progress == pytest.approx(2 / 6)
    assert "4 of 6 areas did not respond: row 1, column 2" in grid.summary()
    for cell in grid.missed():
        x, y, w, h = grid.cell_rect(cell)
        assert grid.hit(x + w / 2, y + h / 2) == cell
    assert grid.complete and grid.missed() == []
    assert grid.summary() == "All 6 areas of the screen respond to touch."


def test_repeated_hits_are_counted_and_reset_clears_everything():
    grid = TouchGrid(2, 1, (200, 100))
    grid.hit(10, 10)
    grid.hit(20, 20)
    assert grid.hits(Cell(0, 0)) == 2 and grid.is_hit(Cell(0, 0))
    grid.hit(-5, -5)
    grid.reset()
    assert grid.touched == 0 and grid.outside == 0 and len(grid.missed()) == 2


def test_cell_rects_tile_the_window():
    grid = TouchGrid(5, 4, (1920, 1080))
    area = sum(w * h for *_, w, h in map(grid.cell_rect, grid.cells))
    assert area == pytest.approx(1920 * 1080)
    assert grid.cell_rect(Cell(0, 0)) == (0.0, 810.0, 384.0, 270.0)
    with pytest.raises(ValueError):
        grid.cell_rect(Cell(4, 0))


def test_resize_keeps_hits():
    grid = TouchGrid(2, 2, (100, 100))
    grid.hit(10, 90)
    grid.resize((200, 200))
    assert grid.hit(150, 50) == Cell(1, 1)
    assert grid.touched == 2


def test_long_summary_is_shortened():
    grid = TouchGrid(4, 4, (100, 100))
    assert grid.summary().endswith("row 2, column 1 and 11 more.")


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((0, 3, (10, 10)), {}), ((3, 3, (0, 10)), {}), ((3, 3, (10, 10)), {"origin": "centre"})],
)
def test_invalid_grids_are_refused(args, kwargs):
    with pytest.raises(ValueError):
        TouchGrid(*args, **kwargs)
