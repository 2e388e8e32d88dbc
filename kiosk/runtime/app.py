"""The kiosk assembled: devices, link, outbox + relay, case desk, fleet agent — and the backend the
touchscreen screens call (``KioskRuntime.backend()``; the screens define its Protocol).

Failure is part of the contract, never a traceback on a citizen's screen:

* central unreachable → the case is still stored and printed with the kiosk's reference
  (``SubmitResult.sent`` False); the phone offer is unavailable (None) and the screen says so;
* a printer fault → a sentence from the fault's action hint ("please ask a member of staff") in the
  citizen's language, after one saying what came out (part of the slip, the rest cancelled, or
  nothing), and the reference stays on screen;
* no device token → the runtime does not start: it says which file or variable to set;
* central registered the kiosk under another office than kiosk.toml names (every case would be
  refused) → one warning in the log at start (``kiosk diagnose`` says the same, with the fix).

Slips and resuming (:mod:`kiosk.runtime.resume`): ``print_slip`` prints the reference with a resume
code protected by a second factor (``slip_factor`` says which) — central's code when central has
the case, else one made here and queued (``offline_slip``), and ``SlipOutcome.notice`` says which
happened; ``resume`` opens a case from a slip (typed or scanned code + factor) or answers one
sentence; a resumed submission updates the same case (``submit``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from catalogue.loader import load_catalogue_strict
from catalogue.model import Text
from catalogue.references import normalise_office
from kiosk.config import KioskConfig
from kiosk.documents import DocumentError, build_document, print_receipt, to_speech
from kiosk.link import CentralClient, CentralError
from kiosk.link.registration import compare_office
from kiosk.outbox import Outbox, Relay, RowCipher, outbox_path
from kiosk.outbox.funnel import FunnelOutbox
from kiosk.references import resume_code_in
from kiosk.runtime.bundles import sync_for
from kiosk.runtime.cases import CaseDesk, SubmittedCase
from kiosk.runtime.commands import Activity, CommandClient, CommandRunner, ServiceState
from kiosk.runtime.devices import DeviceHub
from kiosk.runtime.fleet import FleetAgent
from kiosk.runtime.phone import PhoneHandoff, PhoneOffer
from kiosk.runtime.remote_effects import runtime_effects
from kiosk.runtime.resume import SecondFactor, SlipCodes, clean_factor, redeem, say, second_factor
from kiosk.runtime.watchdog import for_runtime
from kiosk.session import Feedback, Submission
from kiosk.session.resume import ResumedCase, ResumedSubmission
from peripherals.conditions import ActionHint
from peripherals.errors import DeviceFault, PeripheralError

__all__ = ["KioskRuntime", "SlipOutcome", "SubmitResult"]

log = logging.getLogger(__name__)

SENT_WAIT_S = 3.0
HINTS = {
    "en": {
        ActionHint.CLEAR: "The printer needs attention. Please ask a member of staff.",
        ActionHint.MAINTENANCE: "This kiosk can’t print just now. Your reference is on the screen.",
        ActionHint.RESET: "The printer is restarting. Please try again in a moment.",
        None: "This kiosk can’t print just now. Your reference is on the screen.",
    },
    "cy": {
        ActionHint.CLEAR: "Mae angen sylw ar yr argraffydd. Gofynnwch i aelod o staff.",
        ActionHint.MAINTENANCE: "Ni all y ciosg hwn argraffu ar hyn o bryd. Mae eich cyfeirnod ar y sgrin.",
        ActionHint.RESET: "Mae’r argraffydd yn ailgychwyn. Rhowch gynnig arall arni mewn munud.",
        None: "Ni all y ciosg hwn argraffu ar hyn o bryd. Mae eich cyfeirnod ar y sgrin.",
    },
}


@dataclass(frozen=True)
class SubmitResult:
    reference: str
    case_id: str
    sent: bool


@dataclass(frozen=True)
class SlipOutcome:
    """What became of "print my slip": ``code`` (None when nothing could be made), whether it
    works now (``registered``), ``notice`` (say which, honestly) and ``message`` (a printer or
    input problem for the citizen, None when the slip came out)."""

    code: str | None
    factor_kind: str
    registered: bool
    notice: str
    message: str | None


PRINTED = {
    "en": {
        "partial": "Your slip only printed in part, and the rest was cancelled.",
        "nothing": "Nothing was printed.",
    },
    "cy": {
        "partial": "Dim ond rhan o’ch slip a argraffwyd, ac mae’r gweddill wedi’i ganslo.",
        "nothing": "Ni chafodd dim ei argraffu.",
    },
}
"""What came out of the printer before a fault (DeviceFault.partial), said before the hint."""


def fault_sentence(exc: PeripheralError, language: str) -> str:
    """The citizen's words for a failed print: for a device fault, first what came out — part of
    the slip (the rest cancelled in the printer) or nothing — then what to do; never "printed"."""
    hints = HINTS.get(language, HINTS["en"])
    faults = getattr(exc, "faults", ()) if isinstance(exc, DeviceFault) else ()
    hint = faults[0].hint if faults else None
    sentence = hints.get(hint, hints[None])
    if isinstance(exc, DeviceFault):
        printed = PRINTED.get(language, PRINTED["en"])
        return f"{printed['partial' if exc.partial else 'nothing']} {sentence}"
    return sentence


class KioskRuntime:
    def __init__(
        self,
        config: KioskConfig,
        *,
        simulate: bool = False,
        emulator_output: Path | None = None,
        token: str | None = None,
        relay_workers: int = 1,
    ) -> None:
        self.config = config
        self.catalogue = load_catalogue_strict(config.catalogue_dir)
        token = token or config.device_token()  # ConfigError names the file / variable
        self.client = CentralClient(config.central_url, token, timeout_s=5, retries=1)
        self.outbox = Outbox(outbox_path(config.data_dir), RowCipher(token, config.kiosk_id))
        self.relay = Relay(self.outbox, self.client, workers=relay_workers)
        self.funnel = FunnelOutbox(self.outbox, self.relay.wake)
        """The session's funnel sink (``Session.from_config(..., funnel=runtime.funnel)``)."""
        self.desk = CaseDesk(self.outbox, self.relay, normalise_office(config.office.id))
        self.devices = DeviceHub(config, simulate=simulate, emulator_output=emulator_output)
        self.activity = Activity()
        """Citizen activity for the heartbeat and the command rules (``activity.watch(session)``)."""
        self.service = ServiceState()
        """In or out of service (a remote command's bilingual message): the screens show it."""
        self.watchdog = for_runtime(
            config.watchdog, config.data_dir, self.service, self.activity, config.languages
        )
        """systemd's watchdog, the crash-loop guard and the memory budget (issue 14 item 4)."""
        self.commands = CommandRunner(
            CommandClient(config.central_url, token, timeout_s=10, retries=1),
            runtime_effects(self),
            self.activity,
            self.service,
        )
        self.fleet = FleetAgent(
            self.client,
            lambda: {**self.devices.states(), **self.watchdog.states()},
            self.funnel.case_depth,  # cases owed; funnel rows are not a backlog
            activity=lambda: self.activity.snapshot(self.service),
            on_commands=self.commands.handle,
            on_tick=self.commands.tick,
        )
        self.bundles = sync_for(
            config,
            token,
            self._in_session,
            lambda bundle: self.watchdog.restart_between_sessions(f"bundle {bundle.version}"),
        )
        """Signed configuration bundles (issue 14 item 3), checked after each beat and installed only
        between sessions; the app then restarts (between sessions) and starts with its settings
        (:func:`kiosk.runtime.bundles.configured`). None when no public key is pinned."""
        self.fleet.bundles = self.bundles.tick if self.bundles is not None else None
        self.fleet.bundle_version = self.bundles.store.version if self.bundles is not None else None
        self.slips = SlipCodes(self.client, self.desk)
        self._cases: dict[str, SubmittedCase] = {}
        self._last_case: SubmittedCase | None = None
        """The case of the person at the kiosk now (for their feedback); one person at a time."""
        self._last_service: str | None = None
        self._phones: dict[str, PhoneHandoff] = {}
        self.office_check: threading.Thread | None = None
        """The start-up comparison of the configured office with central's (see ``start``)."""

    def _in_session(self) -> bool:
        return bool(self.activity.snapshot(self.service)["session_active"])

    def start(self) -> KioskRuntime:
        self.devices.start()
        self.relay.start()
        self.fleet.start()
        self.commands.start()
        self.office_check = threading.Thread(
            target=self._warn_on_office_mismatch, name="office-check", daemon=True
        )
        self.office_check.start()
        return self

    def _warn_on_office_mismatch(self) -> None:
        """One warning in the log when central registered this kiosk under another office (its
        cases would all be refused); in the background, so a slow central never delays start."""
        try:
            found = compare_office(self.client, self.config.office.id)
        except CentralError as exc:
            log.info("office not compared with central: %s", exc.detail)
            return
        if not found.matches:
            log.warning("%s", found.sentence(self.config.source.name))

    def stop(self) -> None:
        self.commands.stop()
        self.fleet.stop()
        self.relay.stop()
        self.devices.close()
        self.outbox.close()

    def __enter__(self) -> KioskRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def backend(self) -> KioskRuntime:
        """The object the screens call (it has the Backend Protocol's methods)."""
        return self

    # ------------------------------------------------------------------ the Backend methods
    def submit(self, submission: Submission) -> SubmitResult:
        if isinstance(submission, ResumedSubmission):  # continues a case: same id, no create
            case = self.desk.resubmit(submission)
            self._cases[case.case_id] = case
            self._last_case, self._last_service = case, submission.service_id
            sent = self.desk.wait_delivered(case.case_id, SENT_WAIT_S)
            return SubmitResult(case.reference, case.case_id, sent)
        case = self.desk.submit(submission)
        self._cases[case.case_id] = case
        self._last_case, self._last_service = case, submission.service_id
        sent = self.desk.wait_sent(case.case_id, SENT_WAIT_S)
        return SubmitResult(case.reference, case.case_id, sent)

    def record_feedback(self, feedback: Feedback) -> None:
        """The rating given after the outcome, added to the case just submitted at this kiosk."""
        case = self._last_case
        self._last_case = None
        if case is not None and feedback.service_id == self._last_service:
            self.desk.give_feedback(case, feedback)

    def start_phone_handoff(self, case_id: str) -> PhoneOffer | None:
        """None when central cannot be reached or does not have the case yet."""
        if not self.desk.wait_sent(case_id, SENT_WAIT_S):
            return None
        case = self._cases.get(case_id)
        handoff = PhoneHandoff(self.client, case_id, language=case.language if case else None)
        try:
            offer = handoff.start()
        except CentralError as exc:
            log.info("phone handoff unavailable: %s", type(exc).__name__)
            return None
        self._phones[offer.handoff_id] = handoff
        return offer

    def phone_status(self, handoff_id: str) -> str:
        handoff = self._phones.get(handoff_id)
        return handoff.poll() if handoff is not None else "expired"

    def confirm_phone(self, handoff_id: str, accept: bool) -> None:
        handoff = self._phones.pop(handoff_id, None)
        if handoff is not None:
            try:
                handoff.answer(accept)
            except CentralError as exc:
                log.warning("phone answer not delivered: %s", type(exc).__name__)

    def _print(
        self,
        submission: Submission,
        result: SubmitResult,
        kind: str,
        resume_code: str | None = None,
    ) -> str | None:
        printer = self.devices.by_driver("escpos")
        lang = submission.language
        if printer is None:
            return HINTS.get(lang, HINTS["en"])[None]
        service = self.catalogue.services[submission.service_id]
        office = Text(self.config.office.name, self.config.office.name)
        try:
            doc = build_document(
                submission, service, kind, reference=result.reference, office=office,
                today=date.today(), resume_code=resume_code,
            )  # fmt: skip
            print_receipt(printer, doc)  # type: ignore[arg-type]
        except PeripheralError as exc:
            return fault_sentence(exc, lang)
        except DocumentError as exc:
            log.error("document could not be made: %s", type(exc).__name__)
            return HINTS.get(lang, HINTS["en"])[None]
        return None

    def print_receipt(self, submission: Submission, result: SubmitResult) -> str | None:
        return self._print(submission, result, "receipt")

    def receipt_speech(self, submission: Submission, result: SubmitResult) -> tuple[str, ...]:
        """The receipt as audio guidance reads it ("Read my receipt"): the same document
        :meth:`print_receipt` prints, as sentences (:func:`kiosk.documents.to_speech`); () when it
        cannot be made (logged without its content)."""
        service = self.catalogue.services[submission.service_id]
        office = Text(self.config.office.name, self.config.office.name)
        try:
            doc = build_document(
                submission, service, "receipt", reference=result.reference, office=office,
                today=date.today(),
            )  # fmt: skip
        except DocumentError as exc:
            log.error("receipt could not be made to read: %s", type(exc).__name__)
            return ()
        return to_speech(doc)

    def slip_factor(self, submission: Submission) -> str:
        """Which second factor will protect the slip: "dob", "phone_last3" or "pin" (ask for a
        4-digit PIN first)."""
        service = self.catalogue.services[submission.service_id]
        return second_factor(service, submission.answers).kind

    def print_slip(
        self, submission: Submission, result: SubmitResult, pin: str | None = None
    ) -> SlipOutcome:
        """The slip: reference + resume code (central's when it has the case, else made here and
        queued — an ``offline_slip``). Never raises on the screen path."""
        lang = submission.language
        factor = second_factor(self.catalogue.services[submission.service_id], submission.answers)
        if factor.kind == "pin":
            typed = clean_factor("pin", pin or "")
            if typed is None:
                return SlipOutcome(None, "pin", False, "", say("bad_pin", lang))
            factor = SecondFactor("pin", typed)
        try:
            slip = self.slips.issue(result.case_id, factor, self.desk.is_sent(result.case_id))
        except Exception as exc:  # noqa: BLE001 - e.g. the outbox disk is full
            log.error("slip code could not be made: %s", type(exc).__name__)
            return SlipOutcome(None, factor.kind, False, "", HINTS.get(lang, HINTS["en"])[None])
        kind = "receipt" if slip.registered else "offline_slip"
        message = self._print(submission, result, kind, resume_code=slip.code)
        notice = say("online" if slip.registered else "offline", lang)
        return SlipOutcome(slip.code, slip.factor_kind, slip.registered, notice, message)

    def resume(self, code: str, factor: str, language: str = "en") -> ResumedCase | str:
        """The case a slip opens (code typed or scanned, and its second factor), or a sentence
        for the citizen: wrong factor (tries left), not found, expired, offline, not here."""
        try:
            found = redeem(self.client, code, factor, language)
        except Exception as exc:  # noqa: BLE001 - the screen path never sees a traceback
            log.error("resume failed: %s", type(exc).__name__)
            return say("offline_resume", language)
        if isinstance(found, str):
            return found
        service = self.catalogue.services.get(found.service_id)
        if service is None or "kiosk" not in {c.value for c in service.channels}:
            return say("not_here", language, ref=found.reference)
        return found

    @staticmethod
    def scanned_resume_code(payload: str) -> str | None:
        """The resume code a scanned QR holds (start the resume flow), or None."""
        return resume_code_in(payload)

    def ask_staff(self, submission: Submission, result: SubmitResult) -> str | None:
        case = self._cases.get(result.case_id) or SubmittedCase(
            result.case_id, result.reference, submission.language
        )
        self.desk.ask_staff(case, submission)
        return self._print(submission, result, "staff_ticket")

    def status(self) -> dict[str, Any]:
        """For the technician screen and `kiosk diagnose`: relay, devices, last heartbeat."""
        relay = self.relay.status()
        return {
            "relay": relay.__dict__,
            "devices": self.devices.states(),
            "heartbeat": None if self.fleet.last is None else self.fleet.last.__dict__,
        }
