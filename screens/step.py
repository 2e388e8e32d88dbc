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
        return ("start", self._step_id) if self._on_start_page() else self._step_id

    def _on_start_page(self) -> bool:
        """Before step 1 of a service begun here (nothing answered yet): the service's ``help``
        (what you need, what it costs) on a start page, as on the web."""
        s = self.session
        service = s.service
        if service is None or self.controller.start_page != service.id or s.answers():
            return False
        return bool(service.help.get(self.ctx.lang).strip())

    def _build_start(self) -> list[Any]:
        s, ctx = self.session, self.ctx
        _ = ctx.t
        service = s.service
        assert service is not None
        lang = ctx.lang
        parts: list[Any] = [self.title(service.title.get(lang))]
        summary = service.summary.get(lang).strip() if service.summary else ""
        if summary:
            parts.append(KLabel(ctx, summary, kid="start-summary"))
        parts.append(KLabel(ctx, _("Before you start"), size=ctx.heading, bold=True,
                            kid="start-heading"))  # fmt: skip
        parts.append(KLabel(ctx, service.help.get(lang).strip(), kid="start-help"))
        parts.append(KButton(ctx, _("Start now"), self.start_now, kid="start-now"))
        return parts

    def start_now(self) -> None:
        self.controller.start_page = None
        self.rebuild()

    def build(self) -> list[Any]:
        if self._on_start_page():
            return self._build_start()
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
        shown = validation.visible_fields(step, known)
        if errors:
            parts.append(KLabel(ctx, _("There is a problem"), colour="error", bold=True,
                                kid="problem"))  # fmt: skip
            # The summary lists every error; each one takes the person to its field (GOV.UK).
            for f in shown:
                if f.id in errors:
                    parts.append(KButton(ctx, errors[f.id].message.get(lang),
                                         lambda fid=f.id: self.go_to_field(fid), primary=False,
                                         kid=f"error-link:{f.id}"))  # fmt: skip
        for f in shown:
            error = errors.get(f.id)
            widget = FieldWidget(
                ctx, f, self._drafts.get(f.id), error.message.get(lang) if error else None,
                self.controller.activate_field, self._choice_changed, today=s.today(),
            )  # fmt: skip
            self.fields[f.id] = widget
            parts.append(widget)
        parts.append(KButton(ctx, _("Continue"), self.submit, kid="continue"))
        parts.append(KButton(ctx, _("I need help"), self.controller.ask_help, primary=False,
                             kid="help"))  # fmt: skip
        return parts

    def go_to_field(self, field_id: str) -> None:
        """From the error summary: the field in view, and the keys on it when it is typed."""
        widget = self.fields.get(field_id)
        if widget is None:
            return
        if self.scroll.do_scroll_y:
            self.scroll.scroll_to(widget, padding=self.ctx.pad * 2, animate=False)
        boxes = list(widget.inputs.values())
        if boxes:
            self.controller.activate_field(boxes[0])

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
