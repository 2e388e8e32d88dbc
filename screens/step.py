"""One step of a service, drawn from the catalogue: "Step 2 of 4", the fields, Continue.

What the person typed but has not sent yet is kept across redraws (a language switch, a new
text size, an error), and dropped when another step is shown. Errors come from the session and
are drawn next to their field, with "There is a problem" at the top.
"""

from __future__ import annotations

from typing import Any

from catalogue import validation
from screens.base import KioskScreen
from screens.fields import FieldWidget, raw_from_answer
from screens.widgets import KButton, KLabel

__all__ = ["StepScreen"]


class StepScreen(KioskScreen):
    state_name = "step"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields: dict[str, FieldWidget] = {}
        self._step_id: str | None = None
        self._drafts: dict[str, object] = {}

    def enter(self) -> None:
        """Shown anew (not redrawn): start from the session's answers."""
        self._step_id = None
        self._drafts = {}

    def _collect(self) -> None:
        for fid, widget in self.fields.items():
            self._drafts[fid] = widget.value()

    def rebuild(self) -> None:
        step = self.session.current_step
        if step is not None and step.id == self._step_id:
            self._collect()
        elif step is not None:
            answers = self.session.answers()
            self._drafts = {f.id: raw_from_answer(f, answers.get(f.id)) for f in step.fields}
            self._step_id = step.id
        super().rebuild()

    def place(self) -> object:
        return self._step_id

    def build(self) -> list[Any]:
        s, ctx = self.session, self.ctx
        _ = ctx.t
        step, service = s.current_step, s.service
        self.fields = {}
        if step is None or service is None:
            return []
        lang = ctx.lang
        known = {**s.answers(), **{k: v for k, v in self._drafts.items() if v is not None}}
        steps = [x.id for x in validation.visible_steps(service, known)]
        number = steps.index(step.id) + 1 if step.id in steps else 1
        parts: list[Any] = [
            KLabel(ctx, service.title.get(lang), colour="muted_text", kid="service-title"),
            KLabel(ctx, _("Step {n} of {total}", n=number, total=len(steps)), kid="progress"),
            self.title(step.title.get(lang)),
        ]
        errors = s.errors
        if errors:
            parts.append(KLabel(ctx, _("There is a problem"), colour="error", bold=True,
                                kid="problem"))  # fmt: skip
        for f in validation.visible_fields(step, known):
            error = errors.get(f.id)
            widget = FieldWidget(
                ctx, f, self._drafts.get(f.id), error.message.get(lang) if error else None,
                self.controller.activate_field, self._choice_changed,
            )  # fmt: skip
            self.fields[f.id] = widget
            parts.append(widget)
        parts.append(KButton(ctx, _("Continue"), self.submit, kid="continue"))
        parts.append(KButton(ctx, _("I need help"), self.controller.ask_help, primary=False,
                             kid="help"))  # fmt: skip
        return parts

    def _choice_changed(self) -> None:
        """A choice may show or hide other fields (show_if): redraw with what is typed so far."""
        self.controller.hide_keyboard()
        self.rebuild()

    def values(self) -> dict[str, object]:
        return {fid: widget.value() for fid, widget in self.fields.items()}

    def submit(self) -> None:
        self._collect()
        step = self._step_id
        self.controller.answer(self.values())
        if self.session.errors and self._step_id == step:
            self.scroll.to_top()  # "There is a problem" is at the top (as on GOV.UK pages)

    def clear(self) -> None:
        self.fields = {}
        self._drafts = {}
        self._step_id = None
        super().clear()

    def can_go_back(self) -> bool:
        return True

    def go_back(self) -> None:
        self.session.back()
