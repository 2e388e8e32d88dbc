"""The on-screen keyboard: docked at the bottom, it types into the field the person touched.

The shell shrinks the screen above the keyboard and scrolls the active field into view, so the
keyboard never covers what is being typed. Keys are ordinary big buttons (≥ 9 mm); "Done" hides
the keyboard. Two layouts: letters (with digits, the punctuation addresses and e-mail need and the
letters Welsh names need: â ê î ô û ŵ ŷ é ë ï) and numbers (for numbers, phone numbers and dates).
The keys' words follow the session's language; the next person gets the keys as new (their size,
colours, language and small letters: :meth:`OnScreenKeyboard.follow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from screens.context import UiContext
from screens.widgets import KButton, KInput, Row, paint

__all__ = ["OnScreenKeyboard"]

LETTERS = ("1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,.-", "@/")
NUMBERS = ("123", "456", "789", "+0 ")
WELSH = "âêîôûŵŷéëï"
"""The letters Welsh names and words need beyond a–z (to bach, acen ddyrchafedig, didolnod)."""


class OnScreenKeyboard(BoxLayout):
    def __init__(self, ctx: UiContext, on_done: Callable[[], None]) -> None:
        super().__init__(orientation="vertical", size_hint=(1, None), spacing=ctx.gap // 2,
                         padding=ctx.pad)  # fmt: skip
        self.ctx = ctx
        self.kid = "keyboard"
        self.target: KInput | None = None
        self.shift = False
        self.layout = "text"
        self.lang = ctx.lang
        """The language the keys' words were drawn in (rebuilt when the session's changes)."""
        self._on_done = on_done
        self.build()

    # ---- which field ---------------------------------------------------------------------------
    def attach(self, field: KInput) -> None:
        if self.target is not None and self.target is not field:
            self.target.focus = False
        self.target = field
        field.focus = True
        if field.layout != self.layout:
            self.layout = field.layout
            self._show_layout()

    def detach(self) -> None:
        if self.target is not None:
            self.target.focus = False
        self.target = None

    # ---- keys ----------------------------------------------------------------------------------
    def build(self) -> None:
        """Draw the keys afresh (a new language, text size or colours): both layouts are made
        again, the other one when first needed."""
        self._layouts: dict[str, list[Row]] = {}
        self.lang = self.ctx.lang
        self.canvas.before.clear()
        paint(self, self.ctx.colour("surface"), border=self.ctx.colour("muted_text"))
        self._show_layout()

    def _show_layout(self) -> None:
        """Show the rows of the current layout, made once per look (switching between a letters
        field and a numbers field moves rows, it does not make some 50 new buttons)."""
        rows = self._layouts.get(self.layout)
        if rows is None:
            rows = self._layouts[self.layout] = self._rows()
        self.clear_widgets()
        for row in rows:
            self.add_widget(row)
        self._relabel()
        self._fit()

    def _rows(self) -> list[Row]:
        _ = self.ctx.t
        rows: list[list[tuple[str, str, Callable[[], None]]]] = []
        chars = NUMBERS if self.layout == "numeric" else LETTERS
        for line in chars:
            rows.append([(self._face(c), f"key:{c}", self._typer(c)) for c in line])
        if self.layout != "numeric":
            rows[-1] = [(c, f"key:{c}", self._typer(c)) for c in WELSH] + rows[-1]
            rows.append([
                (_("Capital letter"), "key:shift", self._toggle_shift),
                (_("Space"), "key:space", self._typer(" ")),
            ])  # fmt: skip
        rows[-1] += [(_("Delete"), "key:delete", self._delete), (_("Done"), "key:done", self._done)]
        made = []
        for keys in rows:
            row = Row(self.ctx)
            row.spacing = self.ctx.gap // 2
            for face, kid, action in keys:
                primary = kid == "key:done"
                row.add_widget(KButton(self.ctx, face, action, primary=primary, kid=kid))
            row.bind(height=self._fit)
            made.append(row)
        return made

    def _fit(self, *_: Any) -> None:
        rows = self.children
        self.height = (
            sum(r.height for r in rows) + self.spacing * max(0, len(rows) - 1) + (2 * self.ctx.pad)
        )

    def _face(self, char: str) -> str:
        if char == " ":
            return self.ctx.t("Space")
        return char.upper() if self.shift else char

    def _typer(self, char: str) -> Callable[[], None]:
        def press() -> None:
            if self.target is None:
                return
            typed = char.upper() if self.shift else char
            self.target.insert_text(typed)
            if self.shift:
                self.shift = False
                self._relabel()

        return press

    def _toggle_shift(self) -> None:
        self.shift = not self.shift
        self._relabel()

    def _relabel(self) -> None:
        """Capitals on or off: the letter keys change their faces (rebuilding the keyboard would
        cost a frame or more on every capital letter)."""
        letters = {c for line in LETTERS for c in line} | set(WELSH)
        for row in self.children:
            for key in row.children:
                char = str(getattr(key, "kid", "")).removeprefix("key:")
                if char in letters:
                    key.text = self._face(char)

    def _delete(self) -> None:
        if self.target is not None:
            self.target.do_backspace()

    def _done(self) -> None:
        self._on_done()

    def reset(self) -> None:
        self.detach()
        if self.shift:
            self.shift = False
            self._relabel()  # the next person sees the small letters they will type

    def follow(self) -> None:
        """Keys drawn for the context as it is now (its language, text size and colours): after
        the session's language changed, and for the next person (settings back to defaults)."""
        self.reset()
        self.layout = "text"
        self.build()

    def find_key(self, char: str) -> Any:
        kid = {" ": "key:space"}.get(char, f"key:{char.lower()}")
        for row in self.children:
            for key in row.children:
                if getattr(key, "kid", "") == kid:
                    return key
        return None
