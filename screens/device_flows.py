"""What the devices do to the touchscreen: badges, device faults, and the diagnostics tests' input.

* A staff or technician badge (``StaffBadge`` from the card reader) at attract, goodbye or before
  a citizen has answered anything opens the PIN pad (:mod:`screens.pin`); the right PIN starts an
  assisted session (every answer attributed to the staff id, a banner on every screen —
  :mod:`screens.assisted`) or the diagnostics mode (:mod:`screens.diagnostics`). Wrong PINs and
  the lockout are checked by :class:`kiosk.badge_pins.PinBook` on a worker thread.
* A printer fault while a citizen is at the outcome screen shows a calm notice saying what to do,
  from the fault's action hint — never a traceback, never the device's own words.
* In diagnostics, swipes and scans go to the test waiting for them (:meth:`DeviceFlows.expect`).

Device events arrive on the event bus's thread; they reach widgets only through
``Clock.schedule_once``. Wiring is one call after the controller exists: :func:`attach`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from kiosk.badge_pins import PinCheck, badge_key
from kiosk.session import SessionKind, State, StateChanged, Wiped
from peripherals.conditions import ActionHint
from peripherals.events import CardSwiped, CodeScanned, DeviceEvent, ReadError, StatusChanged
from peripherals.magstripe.badges import BadgeRules
from peripherals.magstripe.events import StaffBadge
from screens.assisted import AssistedBanner
from screens.context import UiContext
from screens.overlays import Overlay
from screens.pin import PinPad
from screens.widgets import KButton, KLabel

__all__ = ["DeviceFlows", "FaultNotice", "attach", "hint_sentence", "wire_runtime"]

log = logging.getLogger("screens.device_flows")

PIN_IDLE_S = 60.0
"""The PIN pad closes by itself after this long without a key."""
BADGE_STATES = frozenset({State.ATTRACT, State.GOODBYE})
EARLY_STATES = frozenset({State.LANGUAGE, State.CHOOSE_SERVICE, State.STEP})
"""A badge is honoured here too while the citizen has not answered anything yet."""
PRINTERS = frozenset({"receipt_printer", "document_printer"})
INPUT_EVENTS = (CardSwiped, StaffBadge, ReadError, CodeScanned)


def hint_sentence(ctx: UiContext, hint: ActionHint | None) -> str:
    """What the citizen should do about a printer fault, in their language."""
    _ = ctx.t
    if hint is ActionHint.CLEAR:
        return _("The printer needs attention. Please ask a member of staff.")
    if hint is ActionHint.RESET:
        return _("The printer is restarting. Please try again in a moment.")
    return _("This kiosk can’t print just now. Your reference is on the screen.")


class FaultNotice(Overlay):
    """A calm modal card: a heading, one sentence, and OK."""

    def __init__(self, ctx: UiContext, close: Callable[[], None]) -> None:
        super().__init__(ctx, "device-notice")
        self.close = close
        self.device = ""

    def show(self, heading: str, sentence: str, device: str = "") -> None:
        ctx = self.ctx
        self.device = device
        self.fill([
            KLabel(ctx, heading, size=ctx.heading, bold=True, kid="notice-title"),
            KLabel(ctx, sentence, kid="notice-text"),
            KButton(ctx, ctx.t("OK"), self.close, kid="notice-ok"),
        ])  # fmt: skip


class DeviceFlows:
    """Badges → PIN → assisted or diagnostics; faults → notices; input → diagnostics tests."""

    def __init__(self, controller: Any, devices: Any, pins: Any, *, config: Any = None,
                 service: Any = None) -> None:  # fmt: skip
        self.controller = controller
        self.ctx: UiContext = controller.ctx
        self.session = controller.session
        self.devices = devices
        self.pins = pins
        self.config = config
        self.pad = PinPad(self.ctx, self._pin_entered, self._pin_cancelled, self._arm_pin_timer)
        self.pin_idle_s = PIN_IDLE_S
        self.notice = FaultNotice(self.ctx, self.close_notice)
        self.banner = AssistedBanner(self.ctx, self.session)
        self.badge: StaffBadge | None = None
        self._key = ""
        self._expect: dict[str, Callable[[DeviceEvent], None]] = {}
        self._shown_faults: set[tuple[str, str]] = set()
        self._pin_timer: Any = None
        self._unsubscribe: list[Callable[[], None]] = []
        self.diagnostics: Any = None
        if service is not None:
            from screens.diagnostics import DiagnosticsScreen

            self.diagnostics = DiagnosticsScreen(self.ctx, controller, flows=self, service=service)

    # ---- wiring --------------------------------------------------------------------------------
    def attach(self) -> DeviceFlows:
        c = self.controller
        if self.diagnostics is not None and "diagnostics" not in c.screens:
            c.screens[self.diagnostics.name] = self.diagnostics
            c.shell.manager.add_widget(self.diagnostics)
        self.banner.watch(c.screens.values())
        self._badge_rules()
        self._unsubscribe.append(self.devices.subscribe(self._from_bus, DeviceEvent))
        self._unsubscribe.append(self.session.subscribe(self._on_session))
        return self

    def detach(self) -> None:
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self._pin_timer is not None:
            self._pin_timer.cancel()
            self._pin_timer = None
        self._hide(self.pad)
        self._hide(self.notice)

    def _badge_rules(self) -> None:
        """Give the card reader the ``[badges]`` prefixes of kiosk.toml when it has none."""
        badges = getattr(self.config, "badges", None)
        if badges is None:
            return
        for name, snap in self.devices.states().items():
            device = self.devices.device(name)
            rules = getattr(device, "badges", None)
            if (
                snap.get("kind") == "card_reader"
                and isinstance(rules, BadgeRules)
                and not (rules.staff_prefixes or rules.technician_prefixes)
            ):
                device.badges = BadgeRules.from_options(
                    badges.staff_prefixes, badges.technician_prefixes
                )

    # ---- events --------------------------------------------------------------------------------
    def _from_bus(self, event: DeviceEvent) -> None:
        """On the bus thread: hand over to the Kivy main thread."""
        Clock.schedule_once(lambda _dt: self.handle(event), 0)

    def handle(self, event: DeviceEvent) -> None:
        """On the main thread."""
        if isinstance(event, INPUT_EVENTS) and self.session.state is State.DIAGNOSTICS:
            want = "code" if isinstance(event, CodeScanned) else "card"
            callback = self._expect.pop(want, None)
            if callback is not None:
                callback(event)
            return
        if isinstance(event, StaffBadge):
            self.badge_swiped(event)
        elif isinstance(event, StatusChanged):
            self.status_changed(event)
        elif isinstance(event, CodeScanned):  # a slip's or phone's resume code held to the scanner
            from screens.resume import start_from_scan

            start_from_scan(self.controller, event.data)

    def _on_session(self, event: Any) -> None:
        if isinstance(event, Wiped) and event.reason == "idle":
            self._pin_cancelled()
        if isinstance(event, Wiped) or (
            isinstance(event, StateChanged) and event.new in BADGE_STATES
        ):
            self._shown_faults.clear()
            self.close_notice()
            self._expect.clear()

    def expect(self, what: str, callback: Callable[[DeviceEvent], None] | None) -> None:
        """In diagnostics: the next "card" (swipe) or "code" (scan) goes to ``callback``."""
        if callback is None:
            self._expect.pop(what, None)
        else:
            self._expect[what] = callback

    # ---- badges and PINs -----------------------------------------------------------------------
    def may_start(self) -> bool:
        s = self.session
        if s.state in BADGE_STATES:
            return True
        return s.state in EARLY_STATES and not s.answers() and s.kind is not SessionKind.DIAGNOSTICS

    def badge_swiped(self, event: StaffBadge) -> None:
        _ = self.ctx.t
        if not self.may_start():
            self.show_notice(
                _("Staff sign-in"),
                _(
                    "Someone is using this kiosk. Swipe your badge again when their session has ended."
                ),
            )
            return
        try:
            key = badge_key(event.role, event.staff_id)
        except ValueError:
            log.info("badge swipe ignored: not a usable badge number")
            return
        self.badge, self._key = event, key
        locked = self.pins.locked_for(key)
        self.pad.open(event.role, self._locked_text(locked) if locked else "", locked=locked > 0)
        self.controller.hide_keyboard()
        self.controller.shell.show_overlay(self.pad)
        self._arm_pin_timer()

    def _locked_text(self, seconds: float) -> str:
        return self.ctx.t("Too many wrong PINs. Try again in {minutes} minutes.",
                          minutes=max(1, math.ceil(seconds / 60)))  # fmt: skip

    def _arm_pin_timer(self) -> None:
        if self._pin_timer is not None:
            self._pin_timer.cancel()
        self._pin_timer = Clock.schedule_once(lambda _dt: self._pin_cancelled(), self.pin_idle_s)

    def _pin_entered(self, pin: str) -> None:
        key = self._key
        self._arm_pin_timer()
        self.controller.workers.run(lambda: self.pins.attempt(key, pin), self._pin_checked,
                                    lambda _exc: self._pin_checked(PinCheck(False)), name="pin")  # fmt: skip

    def _pin_checked(self, result: PinCheck) -> None:
        badge = self.badge
        if badge is None or self.pad.parent is None:
            return  # cancelled meanwhile
        _ = self.ctx.t
        if result.ok:
            self._pin_cancelled()
            self.start(badge.role, badge.staff_id)
        elif result.locked_for_s > 0:
            self.pad.tell(self._locked_text(result.locked_for_s), locked=True)
        else:
            self.pad.tell(_("That PIN is not right. Tries left: {left}", left=result.attempts_left))

    def _pin_cancelled(self) -> None:
        self.badge, self._key = None, ""
        if self._pin_timer is not None:
            self._pin_timer.cancel()
            self._pin_timer = None
        self.pad.forget()
        self._hide(self.pad)

    def start(self, role: str, staff_id: str) -> None:
        """Open an assisted session (staff) or the diagnostics mode (technician)."""
        s = self.session
        if not self.may_start():
            return
        lang = s.language if s.state in EARLY_STATES - {State.LANGUAGE} else None
        service = s.service.id if s.service is not None else None
        if s.state not in BADGE_STATES:
            s.wipe("badge")
        if role == "technician":
            s.start(kind=SessionKind.DIAGNOSTICS, staff_id=staff_id)
            return
        s.start(kind=SessionKind.ASSISTED, staff_id=staff_id)
        if lang is not None and s.state is State.LANGUAGE:
            s.choose_language(lang)
            if service is not None:
                s.choose_service(service)
        self.banner.refresh(self.controller.screens.values())

    # ---- faults --------------------------------------------------------------------------------
    def status_changed(self, event: StatusChanged) -> None:
        blocking = [f for f in event.faults if f.blocking]
        if not blocking:
            self._shown_faults = {k for k in self._shown_faults if k[0] != event.device}
            if self.notice.parent is not None and self.notice.device == event.device:
                self.close_notice()
            return
        if self.session.state is not State.OUTCOME:
            return
        kind = self.devices.states().get(event.device, {}).get("kind", "")
        if kind not in PRINTERS:
            return
        key = (event.device, blocking[0].code)
        if key in self._shown_faults:
            return
        self._shown_faults.add(key)
        log.info("fault notice shown for %s (%s)", event.device, blocking[0].code)
        self.show_notice(self.ctx.t("About the printer"),
                         hint_sentence(self.ctx, blocking[0].hint), device=event.device)  # fmt: skip

    def show_notice(self, heading: str, sentence: str, device: str = "") -> None:
        self.notice.show(heading, sentence, device)
        self.controller.shell.show_overlay(self.notice)
        self.ctx.say(sentence)

    def close_notice(self) -> None:
        self.notice.clear_widgets()
        self._hide(self.notice)

    def _hide(self, overlay: Overlay) -> None:
        self.controller.shell.hide_overlay(overlay)


def attach(controller: Any, devices: Any, pins: Any, *, config: Any = None,
           service: Any = None) -> DeviceFlows:  # fmt: skip
    """Wire the device-driven flows into a running controller (one call after it is built).

    ``devices`` is the runtime's DeviceHub, ``pins`` a :class:`kiosk.badge_pins.PinBook`,
    ``config`` the KioskConfig (badge prefixes), ``service`` a
    :class:`kiosk.diagnostics.service.DiagnosticsService` (None: no diagnostics screen).
    """
    return DeviceFlows(controller, devices, pins, config=config, service=service).attach()


def wire_runtime(
    controller: Any, runtime: Any, config: Any, *, log_tail: Any = None
) -> DeviceFlows | None:
    """Everything :func:`attach` needs, taken from a :class:`kiosk.runtime.app.KioskRuntime`.

    The PIN book is ``<data_dir>/badge-pins.toml`` (``kiosk badge-pin`` writes it); a log tail is
    attached to the root logger when none is given (detached again by :meth:`DeviceFlows.detach`).
    None when the backend has no devices (a test's fake backend).
    """
    from kiosk.badge_pins import PIN_FILE_NAME, PinBook
    from kiosk.diagnostics import LogTail
    from kiosk.diagnostics.service import DiagnosticsService

    devices = getattr(runtime, "devices", None)
    if devices is None:
        return None
    own_tail = log_tail is None
    tail = LogTail().attach() if own_tail else log_tail
    service = DiagnosticsService(devices, config, log_tail=tail)
    flows = attach(controller, devices, PinBook.load(config.data_dir / PIN_FILE_NAME),
                   config=config, service=service)  # fmt: skip
    if own_tail:
        flows._unsubscribe.append(tail.detach)
    return flows
