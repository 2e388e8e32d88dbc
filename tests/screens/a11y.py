"""Checks on what is drawn: clipped text, touch target sizes, controls out of reach.

Kivy is imported inside the functions: the display fixture must come first."""

from __future__ import annotations

from typing import Any

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window coordinates


def window_rect(w: Any) -> Rect:
    x0, y0 = w.to_window(w.x, w.y)
    return (x0, y0, x0 + w.width, y0 + w.height)


def seen_rect(w: Any, root: Any) -> Rect | None:
    """The part of ``w`` a person can see: clipped by every scroll view it sits in."""
    from kivy.uix.scrollview import ScrollView

    x0, y0, x1, y1 = window_rect(w)
    parent = w.parent
    while parent is not None and parent is not root:
        if isinstance(parent, ScrollView):
            a0, b0, a1, b1 = window_rect(parent)
            x0, y0, x1, y1 = max(x0, a0), max(y0, b0), min(x1, a1), min(y1, b1)
        parent = parent.parent
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def clipped_labels(root: Any, walk: Any) -> list[str]:
    """Labels (and buttons) whose rendered text is larger than their box."""
    from kivy.uix.label import Label

    bad = []
    for w in walk(root):
        if isinstance(w, Label) and w.text and w.texture is not None:
            tw, th = w.texture_size
            if tw > w.width + 1 or th > w.height + 1:
                bad.append(f"{getattr(w, 'kid', '') or w.text[:40]!r}: text {tw}x{th} in box "
                           f"{w.width:.0f}x{w.height:.0f}")  # fmt: skip
    return bad


def controls(root: Any, walk: Any) -> list[Any]:
    from kivy.uix.button import Button
    from kivy.uix.textinput import TextInput

    return [w for w in walk(root) if isinstance(w, Button | TextInput)]


def small_targets(root: Any, walk: Any, minimum: int) -> list[str]:
    return [
        f"{getattr(w, 'kid', '') or w.text[:30]!r}: {w.width:.0f}x{w.height:.0f} < {minimum}"
        for w in controls(root, walk)
        if min(w.width, w.height) < minimum
    ]


def out_of_reach(root: Any, walk: Any, top: float) -> list[str]:
    bad = []
    for w in controls(root, walk):
        seen = seen_rect(w, root)
        if seen is not None and seen[3] > top + 1:
            bad.append(f"{getattr(w, 'kid', '')!r} reaches {seen[3]:.0f} > {top:.0f}")
    return bad
