"""Choose a service: by what has happened in the person's life, or from A to Z.

Three views on one screen: the life events, the services of one life event, and the A–Z list.
Back from a life event's services returns to the life events; Back from there to the language.
"""

from __future__ import annotations

from typing import Any

from catalogue.model import Service
from screens.base import KioskScreen
from screens.widgets import Column, KButton, KLabel, KToggle, Row

__all__ = ["ServicesScreen"]


class ServicesScreen(KioskScreen):
    state_name = "choose_service"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.view = "events"
        self.event_id: str | None = None

    def build(self) -> list[Any]:
        ctx, s = self.ctx, self.session
        _ = ctx.t
        lang = s.language
        parts: list[Any] = [self.title(_("Choose a service"))]
        tabs = Row(ctx)
        for view, label in (("events", _("What has happened")), ("a-z", _("A to Z"))):
            down = self.view == view or (view == "events" and self.view == "event")
            tab = KToggle(ctx, label, "service-view", kid=f"view:{view}", mark="tab",
                          state="down" if down else "normal")  # fmt: skip
            tab.bind(on_release=lambda *_a, v=view: self.show(v))
            tabs.add_widget(tab)
        parts.append(tabs)
        if self.view == "a-z":
            parts += [self._service(svc) for svc in s.services_a_to_z()]
        elif self.view == "event" and self.event_id is not None:
            event = next((e for e in s.list_life_events() if e.id == self.event_id), None)
            if event is not None:
                parts.append(KLabel(ctx, event.title.get(lang), size=ctx.heading, bold=True))
            parts += [self._service(svc) for svc in s.services_for_event(self.event_id)]
        else:
            for event in s.list_life_events():
                parts.append(KButton(ctx, event.title.get(lang),
                                     lambda e=event.id: self.show("event", e),
                                     primary=False, kid=f"event:{event.id}"))  # fmt: skip
        return parts

    def _service(self, service: Service) -> Column:
        lang = self.session.language
        box = Column(self.ctx, gap=self.ctx.pad, padding=0)
        box.add_widget(KButton(self.ctx, service.title.get(lang),
                               lambda: self.controller.choose_service(service.id),
                               kid=f"service:{service.id}"))  # fmt: skip
        box.add_widget(KLabel(self.ctx, service.summary.get(lang), colour="muted_text"))
        return box

    def place(self) -> object:
        return (self.view, self.event_id)

    def show(self, view: str, event_id: str | None = None) -> None:
        self.view, self.event_id = view, event_id
        self.rebuild()

    def clear(self) -> None:
        self.view, self.event_id = "events", None
        super().clear()

    def can_go_back(self) -> bool:
        return True

    def go_back(self) -> None:
        if self.view == "event":
            self.show("events")
        else:
            self.view = "events"
            self.session.back()
