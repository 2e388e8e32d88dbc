"""What a screen, the bar and the overlays may reach of the controller, named apart from it.

Why: :mod:`screens.controller` builds every screen, so a screen that imported the controller (even
for typing) closed an import cycle through all of them. They type their controller as
:class:`ScreenHost` instead; :class:`screens.controller.Controller` satisfies it. The list is what
the views use today — narrowing it to navigation and actions interfaces is the next step.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["ScreenHost"]


class ScreenHost(Protocol):
    activate_field: Any
    answer: Any
    answer_phone: Any
    ask_help: Any
    ask_staff: Any
    backend: Any
    bar: Any
    change_setting: Any
    choose_language: Any
    choose_outcome: Any
    choose_service: Any
    close: Any
    close_accessibility: Any
    confirm_answers: Any
    ctx: Any
    current: Any
    finish: Any
    give_feedback: Any
    guide: Any
    hide_keyboard: Any
    idle: Any
    keyboard: Any
    languages: Any
    more_time: Any
    panel: Any
    poll_phone: Any
    print_receipt: Any
    result: Any
    screens: Any
    session: Any
    shell: Any
    show: Any
    skip_feedback: Any
    start: Any
    start_page: Any
    start_phone: Any
    stop_polling: Any
    tick: Any
    workers: Any
