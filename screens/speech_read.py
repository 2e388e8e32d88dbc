"""What audio guidance reads: everything a screen or overlay shows, in reading order.

Why one reader for every screen: EN 301 549 5.1.3.x asks that everything shown is spoken (the
heading, fields with what was typed, options with their state, the error summary, the idle
warning, the outcome). Reading the widgets that are drawn, rather than a separate script per
screen, keeps what is heard and what is seen the same by construction, in both languages.

Reading order is the order the widgets were added (Kivy keeps ``children`` newest first), which is
top to bottom and left to right for every column and row of the screens. A button or an option is
read as itself (its :attr:`spoken`: label, role, state), a field as its label, role and value, a
label as its text; containers are read through. Nothing here changes a widget. A picture is read
by its ``spoken`` words when it has them (the phone's QR code); a masked field (a PIN) is read as
how many characters it holds, never what they are (EN 301 549 5.1.3.8).

:func:`control_at` finds what is under a finger for touch-to-hear: the deepest readable widget at
that point of the window, ignoring content scrolled out of its view.
"""

from __future__ import annotations

from collections.abc import Iterable

from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.ui.speech import describe_control
from screens.context import UiContext
from screens.speech_codes import masked

__all__ = ["control_at", "read_aloud", "spoken_parts", "spoken_text"]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".?!:…,;":
        text += "."
    return text


def spoken_text(widget: Widget, ctx: UiContext) -> str | None:
    """What one widget says when read or touched; None for a container (read its children)."""
    if isinstance(widget, TextInput):
        label = str(getattr(widget, "spoken", "") or widget.hint_text or "")
        value = widget.text or None
        if widget.password and value:
            value = masked(len(value), ctx.t)
        return describe_control(label, "text field", value=value, translate=ctx.t)
    spoken = getattr(widget, "spoken", None)
    if isinstance(widget, Image):
        return spoken if isinstance(spoken, str) and spoken else None
    if isinstance(widget, Label):
        if isinstance(spoken, str) and spoken:
            return spoken  # buttons and options: "Large, option, selected."
        return _sentence(widget.text) if widget.text.strip() else ""
    return None


def spoken_parts(root: Widget, ctx: UiContext) -> list[str]:
    """Each readable thing under ``root``, in reading order."""
    parts: list[str] = []

    def visit(widget: Widget) -> None:
        if widget.opacity == 0:
            return
        said = spoken_text(widget, ctx)
        if said is None:
            for child in reversed(widget.children):
                visit(child)
        elif said:
            parts.append(said)

    visit(root)
    return parts


def read_aloud(root: Widget, ctx: UiContext) -> str:
    """All of ``root`` as one text to speak."""
    return " ".join(spoken_parts(root, ctx))


def _shown_at(widget: Widget, x: float, y: float) -> bool:
    """``widget`` is at window point (x, y) and not scrolled out of any view around it."""
    if not widget.collide_point(*widget.to_widget(x, y)):
        return False
    parent = widget.parent
    while parent is not None and parent.parent is not parent:  # the Window is its own parent
        if isinstance(parent, ScrollView) and not parent.collide_point(*parent.to_widget(x, y)):
            return False
        parent = parent.parent
    return True


def control_at(roots: Iterable[Widget], x: float, y: float, ctx: UiContext) -> str:
    """What is read for the thing under the finger at window point (x, y): the first root (the
    top one) that has something readable there wins; "" when there is nothing."""
    for root in roots:
        found = ""

        def visit(widget: Widget) -> None:
            nonlocal found
            if widget.opacity == 0:
                return
            said = spoken_text(widget, ctx)
            if said is None:
                for child in widget.children:
                    visit(child)
            elif said and _shown_at(widget, x, y):
                found = found or said

        visit(root)
        if found:
            return found
    return ""
