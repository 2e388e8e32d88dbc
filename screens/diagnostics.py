"""Diagnostics mode: the field technician's screen (after a technician badge and PIN).

Views, one at a time (like the outcome screen): ``home`` (every device's state, faults and
statistics; the central link and its latency; the outbox), ``checks`` (internal or external
health checks of everything), ``interactive`` (test print, swipe test, scan test — each waits for
the technician and reports what happened), ``log`` (the log tail, refreshed every second) and
``report`` (the readiness report, written as PDF and printed). The touch grid and the colour test
cover the whole window (:mod:`screens.diagnostics_tests`).

Nothing of any citizen is ever shown here: devices report states and counters; swipes and scans
are described by their shape (tracks read, symbology, length), never by their content. Every
check may block (a test slip prints, central may be slow), so it runs on the controller's worker
threads; results come back on the Kivy main thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.diagnostics.checks import Check
from kiosk.diagnostics.readiness import touch_check
from kiosk.diagnostics.service import DiagnosticsService
from peripherals.conditions import HealthLevel
from peripherals.events import CardSwiped, CodeScanned, DeviceEvent, ReadError
from peripherals.magstripe.events import StaffBadge
from screens.base import KioskScreen
from screens.diagnostics_tests import ColourTest, TouchGridTest
from screens.widgets import KButton, KLabel, Row

if TYPE_CHECKING:
    from screens.device_flows import DeviceFlows

__all__ = ["DiagnosticsScreen"]

LOG_LINES = 30
LOG_EVERY_S = 1.0


class DiagnosticsScreen(KioskScreen):
    state_name = "diagnostics"

    def __init__(self, *args: Any, flows: DeviceFlows, service: DiagnosticsService,
                 **kw: Any) -> None:  # fmt: skip
        super().__init__(*args, **kw)
        self.flows = flows
        self.service = service
        self.touch_test = TouchGridTest(self.ctx, self._touch_done)
        self.colour_test = ColourTest(self._colour_done)
        self._log_clock: Any = None
        self.enter()

    # ---- state ---------------------------------------------------------------------------------
    def enter(self) -> None:
        """A fresh visit: nothing from the previous technician's run is kept."""
        self.view = "home"
        self.level: HealthLevel | None = None
        self.checks: list[Check] = []
        self.running = ""
        self.link: Check | None = None
        self.office: Check | None = None
        self.outbox: Check | None = None
        self.results: dict[str, Check] = {}
        self.waiting = ""  # "card" or "code" while a swipe or scan test waits
        self.print_check: Check | None = None
        self.print_judged = False
        self.report: Any = None
        self.report_path: Any = None
        self.report_print: Check | None = None
        self._stop_log()

    def clear(self) -> None:
        """The wipe (idle, exit): the full-screen tests close and every result is forgotten."""
        self._stop_waiting()
        self.controller.shell.hide_overlay(self.touch_test)
        self.controller.shell.hide_overlay(self.colour_test)
        self.enter()
        super().clear()

    def rebuild(self) -> None:
        if self.view == "home" and self.link is None and not self.running:
            self._check_link()
        super().rebuild()

    def place(self) -> object:
        return self.view

    def show(self, view: str) -> None:
        if view != "interactive":
            self._stop_waiting()
        self._stop_log()
        self.view = view
        if view == "log":
            self._log_clock = Clock.schedule_interval(lambda _dt: self._refresh_log(), LOG_EVERY_S)
        self.rebuild()

    def _run(self, what: str, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.running = what

        def finished(value: Any) -> None:
            self.running = ""
            done(value)
            if self.session.state.value == self.state_name:
                self.rebuild()

        def failed(exc: BaseException) -> None:
            finished(Check(what, "error", "fault", f"{what} could not run ({type(exc).__name__})."))

        self.controller.workers.run(job, finished, failed, name=f"diagnostics-{what}")

    # ---- drawing -------------------------------------------------------------------------------
    def build(self) -> list[Any]:
        return getattr(self, f"_build_{self.view}")()

    def _button(
        self, text: str, action: Callable[[], None], kid: str, primary: bool = False
    ) -> KButton:
        button = KButton(self.ctx, text, action, primary=primary, kid=kid)
        button.disabled = bool(self.running)
        return button

    def _home_button(self) -> KButton:
        return KButton(self.ctx, self.ctx.t("Back to diagnostics"), lambda: self.show("home"),
                       primary=False, kid="diag:home")  # fmt: skip

    def _status(self, status: str) -> str:
        _ = self.ctx.t
        return {"ok": _("OK"), "fault": _("Fault")}.get(status, _("Not checked"))

    def _check_label(self, check: Check, kid: str) -> KLabel:
        colour = "error" if check.status == "fault" else "text"
        sentence = check.sentence
        if not sentence.startswith(f"{check.name}:"):  # drivers often name themselves already
            sentence = f"{check.name}: {sentence}"
        return KLabel(self.ctx, f"{self._status(check.status)} · {sentence}",
                      colour=colour, kid=kid)  # fmt: skip

    def _build_home(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        parts: list[Any] = [self.title(_("Diagnostics"))]
        parts.append(KLabel(ctx, _("Kiosk {kiosk_id}", kiosk_id=self.service.config.kiosk_id),
                            kid="diag-kiosk"))  # fmt: skip
        parts.append(KLabel(ctx, _("Devices"), bold=True))
        for line in self.service.devices():
            text = f"{line.name} ({line.kind}): {line.state}, {line.condition}"
            if line.faults:
                text += " — " + "; ".join(line.faults)
            if line.note:
                text += " — " + line.note
            if line.statistics:
                text += "\n" + line.stats_text()
            parts.append(KLabel(ctx, text, colour="text" if line.ok else "error",
                                kid=f"diag-device:{line.name}"))  # fmt: skip
        parts.append(KLabel(ctx, _("Connection to central"), bold=True))
        link = _("Checking…") if self.link is None else self.link.sentence
        parts.append(KLabel(ctx, link, kid="diag-central"))
        if self.office is not None:
            parts.append(KLabel(ctx, self.office.sentence, kid="diag-office",
                                colour="error" if self.office.status == "fault" else "text"))  # fmt: skip
        waiting = "?" if self.outbox is None else self.outbox.details.get("waiting", 0)
        outbox = _("Outbox: {waiting} waiting to be sent", waiting=waiting)
        if self.outbox is not None and self.outbox.status == "fault":
            outbox += " — " + self.outbox.sentence
        parts.append(KLabel(ctx, outbox, kid="diag-outbox"))
        parts += [
            Row(ctx, self._button(_("Internal checks"), lambda: self.run_checks(HealthLevel.INTERNAL),
                                  "diag:internal"),
                self._button(_("External checks"), lambda: self.run_checks(HealthLevel.EXTERNAL),
                             "diag:external")),
            Row(ctx, self._button(_("Interactive checks"), lambda: self.show("interactive"),
                                  "diag:interactive"),
                self._button(_("Log"), lambda: self.show("log"), "diag:log")),
            Row(ctx, self._button(_("Touch test"), self.start_touch_test, "diag:touch"),
                self._button(_("Colour test"), self.start_colour_test, "diag:colour")),
            self._button(_("Readiness report"), self.make_report, "diag:report"),
            KButton(ctx, _("Exit diagnostics"), self.exit, kid="diag:exit"),  # never disabled
        ]  # fmt: skip
        return parts

    def _build_checks(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        internal = self.level is HealthLevel.INTERNAL
        parts: list[Any] = [self.title(_("Internal checks") if internal else _("External checks"))]
        if self.running:
            parts.append(KLabel(ctx, _("Checking…"), kid="diag-running"))
        for check in self.checks:
            parts.append(self._check_label(check, f"diag-check:{check.name}"))
        if self.checks and not self.running:
            faults = sum(c.status == "fault" for c in self.checks)
            summary = _("All healthy") if not faults else _("Faults found: {count}", count=faults)
            parts.append(KLabel(ctx, summary, bold=True, kid="diag-summary"))
        parts.append(self._home_button())
        return parts

    def _build_interactive(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        parts: list[Any] = [self.title(_("Interactive checks"))]
        parts.append(KLabel(ctx, _("Receipt printer"), bold=True))
        parts.append(self._button(_("Print a test slip"), self.test_print, "diag:test-print"))
        if self.running == "test print":
            parts.append(KLabel(ctx, _("Printing…"), kid="diag-print-result"))
        elif self.print_check is not None:
            parts.append(self._check_label(self.print_check, "diag-print-result"))
            if self.print_check.status == "ok" and not self.print_judged:
                parts.append(KLabel(ctx, _("Is the test slip clear and complete?")))
                parts.append(Row(ctx, self._button(_("Yes"), lambda: self.judge_print(True),
                                                   "diag:print-good"),
                                 self._button(_("No"), lambda: self.judge_print(False),
                                              "diag:print-bad")))  # fmt: skip
        for what, heading, start, prompt in (
            ("card", _("Card reader"), _("Start the swipe test"), _("Swipe a card now")),
            ("code", _("Scanner"), _("Start the scan test"), _("Scan a code now")),
        ):
            parts.append(KLabel(ctx, heading, bold=True))
            parts.append(self._button(start, lambda w=what: self.wait_for(w), f"diag:{what}-test"))
            result = self.results.get(f"{what} test")
            if self.waiting == what:
                parts.append(KLabel(ctx, prompt, bold=True, kid=f"diag-{what}-result"))
            elif result is not None:
                parts.append(self._check_label(result, f"diag-{what}-result"))
        touch = self.results.get("touchscreen")
        if touch is not None:
            parts.append(KLabel(ctx, _("Touch test"), bold=True))
            parts.append(self._check_label(touch, "diag-touch-result"))
        parts.append(self._home_button())
        return parts

    def _build_log(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        lines = self.service.log_lines(LOG_LINES)
        text = "\n".join(lines) if lines else _("Nothing logged yet.")
        return [self.title(_("Log")), KLabel(ctx, text, size=ctx.small, kid="diag-log"),
                self._home_button()]  # fmt: skip

    def _build_report(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        parts: list[Any] = [self.title(_("Readiness report"))]
        if self.report is None and self.running:
            parts.append(KLabel(ctx, _("Checking…"), kid="diag-running"))
        elif self.report is None and self.report_print is not None:
            parts.append(self._check_label(self.report_print, "diag-report-print"))
        elif self.report is not None:
            parts.append(KLabel(ctx, self.report.verdict, size=ctx.heading, bold=True,
                                kid="diag-verdict"))  # fmt: skip
            parts.append(KLabel(ctx, _("Saved as {path}", path=str(self.report_path)),
                                kid="diag-report-path"))  # fmt: skip
            if self.report_print is not None:
                parts.append(self._check_label(self.report_print, "diag-report-print"))
            parts.append(KLabel(ctx, "\n".join(self.report.text_lines()), size=ctx.small,
                                kid="diag-report-lines"))  # fmt: skip
        parts.append(self._home_button())
        return parts

    # ---- actions -------------------------------------------------------------------------------
    def _check_link(self) -> None:
        def link_checks() -> tuple[Check, Check, Check]:
            return self.service.central(), self.service.office(), self.service.outbox()

        def done(value: Any) -> None:
            if isinstance(value, tuple):
                self.link, self.office, self.outbox = value
            else:
                self.link = value

        self._run("link", link_checks, done)

    def run_checks(self, level: HealthLevel) -> None:
        self.level, self.checks = level, []
        self.view = "checks"

        def done(value: Any) -> None:
            self.checks = list(value) if isinstance(value, list) else [value]
            for check in self.checks:
                if check.name == "central":
                    self.link = check
                elif check.name == "office":
                    self.office = check
                elif check.name == "outbox":
                    self.outbox = check

        self._run(f"{level.name.lower()} checks", lambda: self.service.check_all(level), done)
        self.rebuild()

    def test_print(self) -> None:
        printer = next((d for d in self.service.devices() if d.kind == "receipt_printer"), None)
        if printer is None:
            self.print_check = Check("test print", "interactive", "fault",
                                     "There is no receipt printer.")  # fmt: skip
            self.rebuild()
            return
        self.print_check, self.print_judged = None, False

        def done(check: Any) -> None:
            self.print_check = check
            self.results["print test"] = Check("receipt printer test print", "interactive",
                                               check.status, check.sentence)  # fmt: skip

        self._run("test print", lambda: self.service.check_device(printer.name,
                                                                  HealthLevel.EXTERNAL), done)  # fmt: skip
        self.rebuild()

    def judge_print(self, good: bool) -> None:
        sentence = ("The technician saw a clear test slip." if good
                    else "The technician found the test slip unclear or incomplete.")  # fmt: skip
        self.results["print test"] = Check("receipt printer test print", "interactive",
                                           "ok" if good else "fault", sentence)  # fmt: skip
        self.print_check, self.print_judged = self.results["print test"], True
        self.rebuild()

    def wait_for(self, what: str) -> None:
        """Wait for a swipe ("card") or a scan ("code"), unless the device cannot give one."""
        self._stop_waiting()
        kind, test = ("card_reader", "swipe") if what == "card" else ("scanner", "scan")
        line = next((d for d in self.service.devices() if d.kind == kind), None)
        if line is None or not line.ok:
            name = line.name if line is not None else kind.replace("_", " ")
            state = f"{line.state}, {line.condition}" if line is not None else "not configured"
            self.results[f"{what} test"] = Check(f"{name} {test} test", "interactive", "fault",
                                                 f"The {test} test cannot run: {state}.")  # fmt: skip
        else:
            self.waiting = what
            self.flows.expect(what, self._input)
        self.rebuild()

    def _stop_waiting(self) -> None:
        if self.waiting:
            self.flows.expect(self.waiting, None)
        self.waiting = ""

    def _input(self, event: DeviceEvent) -> None:
        """A swipe or scan during its test: described by its shape only."""
        what = "code" if isinstance(event, CodeScanned) else "card"
        self.waiting = ""
        name = f"{event.device} {'scan' if what == 'code' else 'swipe'} test"
        if isinstance(event, CardSwiped):
            tracks = ", ".join(str(t) for t in event.tracks) or "?"
            check = Check(name, "interactive", "ok", f"A card was read (tracks {tracks}).")
        elif isinstance(event, StaffBadge):
            check = Check(name, "interactive", "ok", f"A {event.role} badge was read.")
        elif isinstance(event, CodeScanned):
            kind = event.symbology or "code"
            check = Check(name, "interactive", "ok",
                          f"A code was read ({kind}, {len(event.data)} characters).")  # fmt: skip
        elif isinstance(event, ReadError):
            check = Check(
                name, "interactive", "fault", f"The input could not be read: {event.reason}."
            )
        else:
            return
        self.results[f"{what} test"] = check
        if self.view == "interactive":
            self.rebuild()

    def start_touch_test(self) -> None:
        self.controller.shell.show_overlay(self.touch_test)
        self.touch_test.start()

    def _touch_done(self, grid: Any) -> None:
        self.controller.shell.hide_overlay(self.touch_test)
        self.results["touchscreen"] = touch_check(grid)
        self.show("interactive")

    def start_colour_test(self) -> None:
        self.controller.shell.show_overlay(self.colour_test)
        self.colour_test.start()

    def _colour_done(self) -> None:
        self.controller.shell.hide_overlay(self.colour_test)
        self.rebuild()

    def make_report(self) -> None:
        self.report = self.report_print = None
        self.view = "report"
        extra = [c for k, c in sorted(self.results.items())]
        checks, level = list(self.checks), self.level or HealthLevel.INTERNAL

        def job() -> tuple[Any, Any, Check]:
            report = self.service.report(checks, level, extra)
            path = self.service.export(report)
            return report, path, self.service.print_report(report, path)

        def done(value: Any) -> None:
            if isinstance(value, tuple):
                self.report, self.report_path, self.report_print = value
            else:
                self.report_print = value

        self._run("report", job, done)
        self.rebuild()

    def _refresh_log(self) -> None:
        if self.view == "log" and self.session.state.value == self.state_name:
            self.rebuild()

    def _stop_log(self) -> None:
        if self._log_clock is not None:
            self._log_clock.cancel()
            self._log_clock = None

    def exit(self) -> None:
        self.session.end()  # the wipe that follows clears this screen (see clear())
