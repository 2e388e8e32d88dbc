"""One catalogue field as widgets: its label, hint, error (next to it) and the input itself.

text, postcode, NI number, e-mail → a text field on the letters keyboard; number and phone → the
numbers keyboard; date → day, month and year fields; choice → one button per option; yes/no →
two buttons. :meth:`FieldWidget.value` gives the raw answer the session validates
(``catalogue.validation`` normalises it the same way on every channel).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from catalogue.hints import hint_text
from catalogue.model import Field, FieldType
from screens.context import UiContext
from screens.widgets import Column, KInput, KLabel, KToggle, Row

__all__ = ["FieldWidget", "raw_from_answer"]

NUMERIC = {FieldType.NUMBER, FieldType.PHONE}
DATE_PARTS = ("day", "month", "year")


def raw_from_answer(field: Field, value: object) -> object:
    """A stored (normalised) answer in the shape the field's widgets show it."""
    if value is None:
        return None
    if field.type is FieldType.DATE and isinstance(value, str) and len(value) == 10:
        year, month, day = value.split("-")
        return {"day": str(int(day)), "month": str(int(month)), "year": year}
    if field.type is FieldType.NUMBER and isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool | dict):
        return value
    return str(value)


class FieldWidget(Column):
    def __init__(
        self, ctx: UiContext, field: Field, raw: object, error: str | None,
        on_activate: Callable[[KInput], None], on_choice: Callable[[], None],
        today: date | None = None,
    ) -> None:  # fmt: skip
        super().__init__(ctx, gap=ctx.pad, padding=0)
        self.ctx = ctx
        self.field = field
        self.kid = f"fieldbox:{field.id}"
        self.inputs: dict[str, KInput] = {}
        self.toggles: dict[str, KToggle] = {}
        self._on_activate = on_activate
        self._on_choice = on_choice
        lang = ctx.lang
        label = field.label.get(lang)
        if not field.required:
            label += f" ({ctx.t('Optional')})"
        self.add_widget(KLabel(ctx, label, bold=True, kid=f"label:{field.id}"))
        hint = hint_text(field, lang, today or date.today())
        if hint is not None:
            self.add_widget(KLabel(ctx, hint, colour="muted_text", kid=f"hint:{field.id}"))
        if error:
            self.add_widget(KLabel(ctx, error, colour="error", bold=True, kid=f"error:{field.id}"))
        kind = field.type
        if kind is FieldType.DATE:
            self._date(raw if isinstance(raw, dict) else {})
        elif kind is FieldType.CHOICE:
            self._choices([(o.value, o.label.get(lang)) for o in field.options], raw)
        elif kind is FieldType.YES_NO:
            chosen = {True: "yes", False: "no"}.get(raw, raw) if isinstance(raw, bool) else raw
            words = [field.yes_no_word(True, lang), field.yes_no_word(False, lang)]
            self._choices([("yes", words[0]), ("no", words[1])], chosen)
        else:
            layout = "numeric" if kind in NUMERIC else "text"
            self.inputs[""] = self._input(f"field:{field.id}", raw, layout)
            self.add_widget(self.inputs[""])

    def _input(self, kid: str, raw: object, layout: str) -> KInput:
        text = "" if raw is None or isinstance(raw, bool | dict) else str(raw)
        box = KInput(self.ctx, text, kid=kid, layout=layout)
        box.spoken = self.field.label.get(self.ctx.lang)
        box.on_activate = self._on_activate
        return box

    def _date(self, raw: dict[str, Any]) -> None:
        row = Row(self.ctx)
        names = {"day": self.ctx.t("Day"), "month": self.ctx.t("Month"), "year": self.ctx.t("Year")}
        for part in DATE_PARTS:
            box = Column(self.ctx, gap=self.ctx.pad // 2, padding=0)
            box.add_widget(KLabel(self.ctx, names[part], size=self.ctx.small))
            self.inputs[part] = self._input(
                f"field:{self.field.id}:{part}", raw.get(part), "numeric"
            )
            box.add_widget(self.inputs[part])
            row.add_widget(box)
        self.add_widget(row)

    def _choices(self, options: list[tuple[str, str]], chosen: object) -> None:
        group = f"{self.field.id}-{id(self)}"
        for value, label in options:
            toggle = KToggle(self.ctx, label, group, kid=f"option:{self.field.id}:{value}",
                             state="down" if chosen == value else "normal")  # fmt: skip
            toggle.bind(on_release=lambda *_: self._on_choice())
            self.toggles[value] = toggle
            self.add_widget(toggle)

    def value(self) -> object:
        """The raw answer as typed or chosen (None when nothing is)."""
        kind = self.field.type
        if kind is FieldType.DATE:
            parts = {p: self.inputs[p].text.strip() for p in DATE_PARTS}
            return parts if any(parts.values()) else None
        if self.toggles:
            chosen = next((v for v, t in self.toggles.items() if t.state == "down"), None)
            if kind is FieldType.YES_NO and chosen is not None:
                return chosen == "yes"
            return chosen
        text = self.inputs[""].text
        return text if text.strip() else None
