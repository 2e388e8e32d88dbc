"""A neutral receipt: what to print, not how. The kiosk's document model renders to this; the
ESC/POS renderer (render.py) turns it into bytes for a given printer profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Feed", "Image", "Line", "Qr", "Receipt"]

AlignName = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Line:
    """One line of text. Longer lines are wrapped by the printer."""

    text: str
    bold: bool = False
    align: AlignName = "left"
    width: int = 1  # character magnification 1–8
    height: int = 1
    underline: bool = False


@dataclass(frozen=True)
class Qr:
    """A QR code, printed natively (GS ( k) when the profile can, else as a raster image."""

    data: str
    module_size: int = 6
    ecc: Literal["L", "M", "Q", "H"] = "M"
    align: AlignName = "center"


@dataclass(frozen=True)
class Image:
    """A picture (a Pillow image); converted to 1-bit and sent as banded raster."""

    image: Any
    align: AlignName = "center"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Item = Line | Qr | Image | Feed


@dataclass
class Receipt:
    """Items top to bottom, then an optional cut."""

    items: list[Item] = field(default_factory=list)
    cut: Literal["partial", "full", "none"] = "partial"
    feed_before_cut: int = 3

    def add(self, item: Item) -> Receipt:
        self.items.append(item)
        return self

    @property
    def text_lines(self) -> int:
        return sum(1 for i in self.items if isinstance(i, Line))
