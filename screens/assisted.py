"""The assisted-session banner: "Assisted by staff member {id}" at the top of every screen.

Why it watches the screens' columns instead of being drawn by each screen: every screen is rebuilt
from the session (:meth:`screens.base.KioskScreen.rebuild` clears its column and fills it again), and
the banner must be on all of them — the ones that exist today and the ones added later — without
each screen remembering to draw it. :class:`AssistedBanner` binds to each screen column's children;
whenever a column is refilled while the session is assisted, the banner (a fresh label, in the
screen's current language) is put back at the top. When the session is not assisted nothing is
added, so a citizen's own session never shows a staff id, and after a wipe no banner is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kiosk.session import SessionKind
from screens.context import UiContext
from screens.widgets import KLabel, paint

__all__ = ["AssistedBanner", "banner_label", "banner_text"]

BANNER_KID = "assisted-banner"


def banner_text(ctx: UiContext, staff_id: str) -> str:
    return ctx.t("Assisted by staff member {staff_id}", staff_id=staff_id)


def banner_label(ctx: UiContext, staff_id: str) -> KLabel:
    """The banner itself: bold, on the focus colour, so it is plain whose session this is."""
    label = KLabel(ctx, banner_text(ctx, staff_id), bold=True, colour="on_primary",
                   halign="center", kid=BANNER_KID, padding=(ctx.pad, ctx.pad))  # fmt: skip
    paint(label, ctx.colour("primary"))
    return label


class AssistedBanner:
    """Keeps the banner at the top of every watched screen while the session is assisted."""

    def __init__(self, ctx: UiContext, session: Any) -> None:
        self.ctx = ctx
        self.session = session
        self._watched: set[int] = set()
        self._busy = False

    def staff_id(self) -> str | None:
        if self.session.kind is SessionKind.ASSISTED:
            return str(self.session.staff_id or "") or None
        return None

    def watch(self, screens: Iterable[Any]) -> None:
        """Start watching these screens (each once); screens without a column are skipped."""
        for screen in screens:
            column = getattr(screen, "column", None)
            if column is None or id(column) in self._watched:
                continue
            self._watched.add(id(column))
            column.bind(children=self._refilled)
            self._ensure(column)

    def _refilled(self, column: Any, _children: Any) -> None:
        self._ensure(column)

    def _ensure(self, column: Any) -> None:
        if self._busy:
            return
        staff = self.staff_id()
        current = [w for w in column.children if getattr(w, "kid", "") == BANNER_KID]
        self._busy = True
        try:
            if staff is None or not _has_content(column, current):
                for old in current:
                    column.remove_widget(old)
                return
            text = banner_text(self.ctx, staff)
            top = column.children[-1] if column.children else None
            if len(current) == 1 and top is current[0] and current[0].text == text:
                return
            for old in current:
                column.remove_widget(old)
            column.add_widget(banner_label(self.ctx, staff), index=len(column.children))
        finally:
            self._busy = False

    def refresh(self, screens: Iterable[Any]) -> None:
        """Re-check every screen (after a session start or wipe)."""
        for screen in screens:
            column = getattr(screen, "column", None)
            if column is not None:
                self._ensure(column)


def _has_content(column: Any, banners: list[Any]) -> bool:
    """A column being emptied (a wipe, a screen clearing itself) gets no banner of its own."""
    return len(column.children) > len(banners)
