"""The touchscreen test: a grid of cells the technician touches one by one; untouched cells are
dead spots (or a miscalibrated panel).

Pure geometry, no Kivy: the screen passes touch positions in window coordinates and draws
:meth:`TouchGrid.cell_rect` for each cell in the colour :meth:`TouchGrid.is_hit` says. Kivy's window
origin is the bottom-left corner, which is the default here; rows and columns are numbered as a
person reads the screen: row 0 at the top, column 0 on the left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

__all__ = ["Cell", "TouchGrid"]

Origin = Literal["bottom-left", "top-left"]


@dataclass(frozen=True, order=True)
class Cell:
    row: int
    col: int

    def __str__(self) -> str:
        return f"row {self.row + 1}, column {self.col + 1}"


class TouchGrid:
    """``cols`` × ``rows`` cells over a window of ``window_size`` pixels."""

    def __init__(
        self,
        cols: int,
        rows: int,
        window_size: tuple[float, float],
        origin: Origin = "bottom-left",
    ) -> None:
        if cols < 1 or rows < 1:
            raise ValueError("a touch grid needs at least one row and one column")
        if origin not in ("bottom-left", "top-left"):
            raise ValueError(f"unknown origin {origin!r}")
        self.cols, self.rows, self.origin = cols, rows, origin
        self._lock = threading.Lock()
        self._hits: dict[Cell, int] = {}
        self._outside = 0
        self.resize(window_size)

    def resize(self, window_size: tuple[float, float]) -> None:
        """New window size (rotation, preview window); hits so far are kept."""
        w, h = window_size
        if w <= 0 or h <= 0:
            raise ValueError(f"window size must be positive, got {window_size}")
        self.width, self.height = float(w), float(h)

    @property
    def cells(self) -> list[Cell]:
        """Every cell in reading order."""
        return [Cell(r, c) for r in range(self.rows) for c in range(self.cols)]

    def cell_at(self, x: float, y: float) -> Cell | None:
        """The cell under window position (x, y), or None outside the window."""
        if not (0 <= x <= self.width and 0 <= y <= self.height):
            return None
        from_top = self.height - y if self.origin == "bottom-left" else y
        col = min(int(x * self.cols / self.width), self.cols - 1)
        row = min(int(from_top * self.rows / self.height), self.rows - 1)
        return Cell(row, col)

    def hit(self, x: float, y: float) -> Cell | None:
        """Record a touch; the cell it landed in (None when outside the window)."""
        cell = self.cell_at(x, y)
        with self._lock:
            if cell is None:
                self._outside += 1
            else:
                self._hits[cell] = self._hits.get(cell, 0) + 1
        return cell

    def is_hit(self, cell: Cell) -> bool:
        with self._lock:
            return cell in self._hits

    def hits(self, cell: Cell) -> int:
        with self._lock:
            return self._hits.get(cell, 0)

    def missed(self) -> list[Cell]:
        """Cells never touched, in reading order."""
        with self._lock:
            hit = set(self._hits)
        return [c for c in self.cells if c not in hit]

    @property
    def touched(self) -> int:
        with self._lock:
            return len(self._hits)

    @property
    def total(self) -> int:
        return self.cols * self.rows

    @property
    def progress(self) -> float:
        """0.0 … 1.0 of the cells touched."""
        return self.touched / self.total

    @property
    def complete(self) -> bool:
        return self.touched == self.total

    @property
    def outside(self) -> int:
        """Touches reported outside the window (a panel whose calibration is off)."""
        with self._lock:
            return self._outside

    def cell_rect(self, cell: Cell) -> tuple[float, float, float, float]:
        """(x, y, width, height) of ``cell`` in window coordinates, for drawing."""
        if not (0 <= cell.row < self.rows and 0 <= cell.col < self.cols):
            raise ValueError(f"{cell} is outside a {self.cols}×{self.rows} grid")
        w, h = self.width / self.cols, self.height / self.rows
        x = cell.col * w
        y = self.height - (cell.row + 1) * h if self.origin == "bottom-left" else cell.row * h
        return (x, y, w, h)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self._outside = 0

    def summary(self) -> str:
        """One sentence for the readiness report."""
        if self.complete:
            return f"All {self.total} areas of the screen respond to touch."
        missed = self.missed()
        shown = "; ".join(str(c) for c in missed[:5])
        if len(missed) > 5:
            shown += f" and {len(missed) - 5} more"
        return f"{len(missed)} of {self.total} areas did not respond: {shown}."
