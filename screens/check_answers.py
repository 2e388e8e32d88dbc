"""Check your answers: every visible step with its answers and a "Change" button, then Submit."""

from __future__ import annotations

from datetime import date
from typing import Any

from catalogue.dates import in_words
from catalogue.model import Field, FieldType
from screens.base import KioskScreen
from screens.widgets import Column, KButton, KLabel, Row, paint

__all__ = ["CheckAnswersScreen", "show_answer"]


def show_answer(field: Field, value: object, lang: str, t: Any) -> str:
    """An answer as the person would say it: option labels, the question's own yes/no words,
    dates in words."""
    if value is None or value == "":
        return t("Not given")
    if field.type is FieldType.YES_NO:
        return field.yes_no_word(value is True, lang)
    if field.type is FieldType.CHOICE:
        option = next((o for o in field.options if o.value == value), None)
        return option.label.get(lang) if option else str(value)
    if field.type is FieldType.DATE and isinstance(value, str):
        try:
            return in_words(date.fromisoformat(value), lang)
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class CheckAnswersScreen(KioskScreen):
    state_name = "check_answers"

    def build(self) -> list[Any]:
        s, ctx = self.session, self.ctx
        _ = ctx.t
        lang = ctx.lang
        parts: list[Any] = [self.title(_("Check your answers"))]
        if s.service is not None:
            parts.insert(0, KLabel(ctx, s.service.title.get(lang), colour="muted_text"))
        draft = s.draft
        if draft is not None and draft.failure:
            parts.append(KLabel(ctx, _("Your answers could not be saved. Try again, or ask a "
                                       "member of staff."), colour="error", bold=True,
                                kid="submit-failed"))  # fmt: skip
        for step, rows in s.summary():
            card = Column(ctx, gap=ctx.pad)
            paint(card, ctx.colour("surface"))
            card.add_widget(KLabel(ctx, step.title.get(lang), bold=True, kid=f"step:{step.id}"))
            for field, value in rows:
                card.add_widget(Row(
                    ctx,
                    KLabel(ctx, field.label.get(lang), colour="muted_text"),
                    KLabel(ctx, show_answer(field, value, lang, _), kid=f"answer:{field.id}"),
                ))  # fmt: skip
            change = KButton(ctx, _("Change"), lambda sid=step.id: self.session.edit(sid),
                             primary=False, kid=f"change:{step.id}")  # fmt: skip
            card.add_widget(change)
            parts.append(card)
        parts.append(KButton(ctx, _("Submit"), self.controller.confirm_answers, kid="submit"))
        parts.append(KButton(ctx, _("I need help"), self.controller.ask_help, primary=False,
                             kid="help"))  # fmt: skip
        return parts

    def can_go_back(self) -> bool:
        return True

    def go_back(self) -> None:
        self.session.back()
