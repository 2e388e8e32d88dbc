"""The one feedback question (the same on every channel, central.feedback): five choices, each a
drawn face above its words (5 very satisfied … 1 very dissatisfied), an optional comment, or skip."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line

from screens.base import KioskScreen
from screens.widgets import KButton, KInput, KLabel, KToggle, Row

__all__ = ["FeedbackScreen"]

FACES = (
    (5, "Very satisfied"),
    (4, "Satisfied"),
    (3, "Neither satisfied or dissatisfied"),
    (2, "Dissatisfied"),
    (1, "Very dissatisfied"),
)
MOUTH = {5: 0.35, 4: 0.18, 3: 0.0, 2: -0.18, 1: -0.35}
"""How far the mouth curves up (a smile) or down, by score."""


class Face(KToggle):
    """A toggle with a drawn face above its words: the mouth curves with the score."""

    face_h = 0.0  # until __init__ sets it (KToggle draws its state mark while it is made)

    def __init__(self, ctx: Any, score: int, text: str) -> None:
        super().__init__(ctx, text, "feedback-face", kid=f"face:{score}")
        self.score = score
        self.halign = "center"
        self.face_h = round(ctx.target * 1.6)
        self.padding = [ctx.pad, ctx.pad * 2 + self.face_h, ctx.pad, ctx.pad]
        with self.canvas.after:
            self._ink = Color(*ctx.colour("text"))
            self._head = Line(circle=(0, 0, 1), width=2)
            self._eyes = [Ellipse(size=(1, 1)), Ellipse(size=(1, 1))]
            self._mouth = Line(points=[], width=2)
        self.bind(pos=self._draw, size=self._draw, state=self._draw)
        self._draw_state()

    def natural_height(self) -> float:
        return max(self.base_side, self.texture_size[1], self.face_h + self.ctx.target)

    def mark_centre(self) -> tuple[float, float]:
        """The radio mark sits in the top left corner, beside the face."""
        return self.x + self.ctx.pad + self.mark_radius(), self.top - self.ctx.pad - self.face_h / 2

    def mark_radius(self) -> float:
        room = (self.width / 2 - self.face_h * 0.45 - 2 * self.ctx.pad) / 2
        return max(6.0, min(float(self.radius), room))

    def _draw(self, *_: Any) -> None:
        r = self.face_h * 0.45
        cx = self.center_x
        cy = self.top - self.ctx.pad - self.face_h / 2
        self._ink.rgba = self.color
        self._head.circle = (cx, cy, r)
        eye = max(3.0, r * 0.16)
        for i, e in enumerate(self._eyes):
            e.pos = (cx + (-0.35 if i == 0 else 0.35) * r - eye / 2, cy + 0.2 * r)
            e.size = (eye, eye)
        curve = MOUTH[self.score] * r
        xs = [cx - 0.45 * r + 0.9 * r * k / 8 for k in range(9)]
        mid = cy - 0.35 * r
        self._mouth.points = [
            v for x in xs for v in (x, mid - curve * (1 - ((x - cx) / (0.45 * r)) ** 2))
        ]


class FeedbackScreen(KioskScreen):
    state_name = "feedback"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.faces: dict[int, Face] = {}
        self.comment: KInput | None = None

    def _chosen(self) -> tuple[int | None, str]:
        score = next((s for s, f in self.faces.items() if f.state == "down"), None)
        return score, self.comment.text if self.comment is not None else ""

    def build(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        score, comment = self._chosen() if self.faces else (None, "")
        row = Row(ctx)
        self.faces = {}
        for s, label in FACES:
            face = Face(ctx, s, _(label))
            if s == score:
                face.state = "down"
            self.faces[s] = face
            row.add_widget(face)
        self.comment = KInput(ctx, comment, kid="feedback:comment")
        self.comment.on_activate = self.controller.activate_field
        return [
            self.title(_("Overall, how did you feel about the service you received today?")),
            row,
            KLabel(ctx, _("How could we improve this service? (optional)")),
            self.comment,
            Row(ctx,
                KButton(ctx, _("Send feedback"), self.send, kid="feedback:send"),
                KButton(ctx, _("Skip"), self.controller.skip_feedback, primary=False,
                        kid="feedback:skip")),
        ]  # fmt: skip

    def send(self) -> None:
        score, comment = self._chosen()
        if score is None:
            self.controller.skip_feedback()
            return
        self.controller.give_feedback(score, comment.strip()[:500] or None)

    def clear(self) -> None:
        self.faces = {}
        self.comment = None
        super().clear()
