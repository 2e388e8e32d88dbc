"""Slip resume codes on the kiosk: which second factor protects a slip, getting its code (from
central, or made here when central cannot be reached), and opening a case from a slip again.

Second factor, chosen for the citizen from what the service asked (:func:`second_factor`): the
date of birth when the service has a date field named like ``date_of_birth``; else the last 3
digits of a phone answer; else a 4-digit PIN the citizen types at the kiosk.

Where the code comes from (:class:`SlipCodes`):

* **online** (central has the case): ``POST /cases/{id}/resume-codes`` draws the code; the slip is
  a receipt carrying it and the code works at once;
* **offline** (the case is still queued, or central does not answer): the kiosk draws the code
  itself (:func:`kiosk.references.make_resume_code`, central's format), prints an ``offline_slip``
  and puts code + factor value in the outbox, **sealed** like the answers (the kiosk never keeps
  them anywhere else). The relay registers them at central right after the case's own rows, and
  central hashes both on arrival (``code`` in ``ResumeIn``). Until then the code does not work,
  and the screen says so. A collision at central (409, odds ≈ n/2⁵²) sends the row to the dead
  letters for staff, as any refused row.

Opening a slip again (:func:`redeem`): a typed or scanned code plus the factor → a
:class:`~kiosk.session.resume.ResumedCase`, or one sentence for the citizen (wrong factor with
the tries left, not found, expired, offline, not continuable here) — never an exception. The same
path opens a code saved on the web (its page shows it as a QR code for the scanner).

Preferences that travel (issue 19 item 6): before the slip is printed the screen hands the
person's language and settings to :meth:`SlipCodes.carry` (:func:`carry_on_slip`), keyed by the
case, and an online code carries them (``preferences`` in ``ResumeIn``); :func:`redeem` gives
them back on the :class:`ResumedCase`. A code made offline carries none (the outbox row holds the
code and factor only): that person's slip opens with the kiosk's defaults.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from catalogue.model import FieldType, Service
from kiosk.link.errors import CentralError, Offline, Rejected, Unauthorised
from kiosk.references import ResumeCodeError, make_resume_code, parse_resume_code
from kiosk.session.resume import ResumedCase

__all__ = [
    "FACTOR_KINDS",
    "SecondFactor",
    "SlipCode",
    "SlipCodes",
    "carry_on_slip",
    "clean_factor",
    "redeem",
    "say",
    "second_factor",
]

log = logging.getLogger(__name__)

FACTOR_KINDS = ("dob", "phone_last3", "pin")
_DOB_NAME = re.compile(r"(^|_)(date_of_birth|dob|birth_date|birthdate|born)($|_)")

SENTENCES: dict[str, dict[str, str]] = {
    "online": {
        "en": "Your code works now: use it at any kiosk or on our website.",
        "cy": "Mae eich cod yn gweithio nawr: defnyddiwch ef mewn unrhyw giosg neu ar ein gwefan.",
    },
    "offline": {
        "en": "This kiosk can't reach our office system just now. Your request and your code are "
        "saved on this kiosk; the code will work once they have been sent.",
        "cy": "Ni all y ciosg hwn gysylltu â’n system ar hyn o bryd. Mae eich cais a’ch cod wedi’u "
        "cadw ar y ciosg hwn; bydd y cod yn gweithio unwaith y byddan nhw wedi’u hanfon.",
    },
    "bad_code": {
        "en": "A code has 12 letters, like BCDF-GHJK-LMNP. Check it against your slip.",
        "cy": "Mae gan god 12 llythyren, fel BCDF-GHJK-LMNP. Gwiriwch ef yn erbyn eich slip.",
    },
    "not_found": {
        "en": "We could not find that code. Check it against your slip.",
        "cy": "Ni allem ddod o hyd i’r cod hwnnw. Gwiriwch ef yn erbyn eich slip.",
    },
    "wrong_factor": {
        "en": "That does not match what you chose at the kiosk. Tries left: {n}.",
        "cy": "Nid yw hynny’n cyfateb i’r hyn a ddewisoch wrth y ciosg. Cynigion ar ôl: {n}.",
    },
    "bad_factor": {
        "en": "That is not the kind of answer this slip was made with. Try your date of birth, "
        "the last 3 digits of your phone number, or your PIN.",
        "cy": "Nid dyna’r math o ateb y gwnaed y slip hwn ag ef. Rhowch gynnig ar eich dyddiad "
        "geni, 3 digid olaf eich rhif ffôn, neu eich PIN.",
    },
    "expired": {
        "en": "This code can no longer be used: it has expired or had too many wrong tries. "
        "Please ask a member of staff.",
        "cy": "Ni ellir defnyddio’r cod hwn mwyach: mae wedi dod i ben neu cafwyd gormod o "
        "gynigion anghywir. Gofynnwch i aelod o staff.",
    },
    "slow_down": {
        "en": "Too many tries on this kiosk. Please wait a minute and try again.",
        "cy": "Gormod o gynigion ar y ciosg hwn. Arhoswch funud a rhowch gynnig arall arni.",
    },
    "offline_resume": {
        "en": "This kiosk can't reach our office system just now, so it can't open your request. "
        "Please try again later or ask a member of staff.",
        "cy": "Ni all y ciosg hwn gysylltu â’n system ar hyn o bryd, felly ni all agor eich cais. "
        "Rhowch gynnig arall arni yn nes ymlaen neu gofynnwch i aelod o staff.",
    },
    "kiosk_refused": {
        "en": "This kiosk can't open requests just now. Please ask a member of staff.",
        "cy": "Ni all y ciosg hwn agor ceisiadau ar hyn o bryd. Gofynnwch i aelod o staff.",
    },
    "done_already": {
        "en": "Your request {ref} has already been sent, so there is nothing more to do here. "
        "A member of staff can tell you how it is going.",
        "cy": "Mae eich cais {ref} wedi’i anfon yn barod, felly does dim mwy i’w wneud yma. "
        "Gall aelod o staff ddweud wrthych sut mae’n mynd.",
    },
    "not_here": {
        "en": "Your request {ref} can't be continued at a kiosk. Please ask a member of staff.",
        "cy": "Ni ellir parhau â’ch cais {ref} mewn ciosg. Gofynnwch i aelod o staff.",
    },
    "bad_pin": {
        "en": "Choose a PIN of 4 digits.",
        "cy": "Dewiswch PIN o 4 digid.",
    },
}


def say(key: str, language: str, **values: object) -> str:
    texts = SENTENCES[key]
    return texts.get(language, texts["en"]).format(**values)


@dataclass(frozen=True)
class SecondFactor:
    """What protects a slip: ``kind`` and, when the answers hold it, its ``value`` (None: the
    citizen types a PIN). Never logged: the repr hides the value."""

    kind: str
    value: str | None

    def __repr__(self) -> str:
        return f"SecondFactor({self.kind!r}, value={'<hidden>' if self.value else None})"


def second_factor(service: Service, answers: Mapping[str, object]) -> SecondFactor:
    """Date of birth when asked for, else the last 3 phone digits, else a PIN to type."""
    fields = list(service.all_fields())
    for f in fields:
        if f.type is FieldType.DATE and _DOB_NAME.search(f.id) and answers.get(f.id):
            return SecondFactor("dob", str(answers[f.id]))
    for f in fields:
        digits = re.sub(r"\D", "", str(answers.get(f.id) or ""))
        if f.type is FieldType.PHONE and len(digits) >= 3:
            return SecondFactor("phone_last3", digits[-3:])
    return SecondFactor("pin", None)


def clean_factor(kind: str, typed: str) -> str | None:
    """The factor as central wants it, or None when it cannot be one (checked before sending, so
    a slip is never printed with a factor central would refuse)."""
    text = (typed or "").strip()
    digits = re.sub(r"[\s\-]", "", text)
    if kind == "pin":
        return digits if re.fullmatch(r"\d{4}", digits) else None
    if kind == "phone_last3":
        return digits if re.fullmatch(r"\d{3}", digits) else None
    if kind == "dob":
        return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    return None


@dataclass(frozen=True)
class SlipCode:
    code: str
    factor_kind: str
    registered: bool
    """True: central has it and it works now. False: made here, it works once relayed."""


class CodeApi(Protocol):
    def create_resume_code(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]: ...


class CodeQueue(Protocol):
    def register_resume_code(self, case_id: str, code: str, kind: str, value: str) -> None: ...


class SlipCodes:
    """Gets a slip's code from central when it has the case, else makes one and queues it."""

    def __init__(self, api: CodeApi, queue: CodeQueue) -> None:
        self.api = api
        self.queue = queue
        self._carried: dict[str, dict[str, Any]] = {}

    def carry(self, case_id: str, preferences: Mapping[str, Any]) -> None:
        """What the next slip of ``case_id`` carries. Only the latest case is kept: one person at
        the kiosk, and nothing of the one before may travel on the next person's slip."""
        self._carried = {case_id: dict(preferences)}

    def issue(self, case_id: str, factor: SecondFactor, case_sent: bool) -> SlipCode:
        if factor.value is None:
            raise ValueError("the second factor needs its value (the PIN the citizen typed)")
        carried = self._carried.pop(case_id, None)
        if case_sent:
            body: dict[str, Any] = {"factor_kind": factor.kind, "factor_value": factor.value}
            if carried:
                body["preferences"] = carried
            try:
                answer = self._create(case_id, body)
                return SlipCode(parse_resume_code(str(answer["code"])), factor.kind, True)
            except (CentralError, KeyError, ResumeCodeError) as exc:
                log.info("resume code from central unavailable: %s", type(exc).__name__)
        code = make_resume_code()
        self.queue.register_resume_code(case_id, code, factor.kind, factor.value)
        return SlipCode(code, factor.kind, False)

    def _create(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Central's code; when central refuses what the slip carries (422: a setting this kiosk
        has and central does not know yet), the code without it: a slip that works beats one
        that carries the person's text size."""
        try:
            return self.api.create_resume_code(case_id, body)
        except Rejected as exc:
            if exc.status != 422 or "preferences" not in body:
                raise
            log.info("slip preferences refused by central; the code carries none")
            plain = {k: v for k, v in body.items() if k != "preferences"}
            return self.api.create_resume_code(case_id, plain)


def carry_on_slip(backend: object, case_id: str, preferences: Mapping[str, Any]) -> bool:
    """Hand the person's preferences to the runtime's :class:`SlipCodes` (``backend.slips``)
    before it prints ``case_id``'s slip; False when the backend has none (a test double)."""
    slips = getattr(backend, "slips", None)
    if not isinstance(slips, SlipCodes):
        return False
    slips.carry(case_id, preferences)
    return True


class ResumeApi(Protocol):
    def resume(self, body: dict[str, Any]) -> dict[str, Any]: ...


def redeem(api: ResumeApi, code: str, factor: str, language: str) -> ResumedCase | str:
    """The case a slip opens, or a sentence for the citizen saying why not."""
    try:
        code = parse_resume_code(code)
    except ResumeCodeError:
        return say("bad_code", language)
    try:
        answer = api.resume({"code": code, "factor": (factor or "").strip()[:40]})
        case = ResumedCase.from_central(answer)
    except Offline as exc:
        return say("slow_down" if "429" in exc.detail else "offline_resume", language)
    except Unauthorised:
        return say("kiosk_refused", language)
    except Rejected as exc:
        return _refusal(exc, language)
    except (KeyError, TypeError, ValueError):
        return say("offline_resume", language)
    if not case.editable:
        return say("done_already", language, ref=case.reference)
    return case


def _refusal(exc: Rejected, language: str) -> str:
    slug = str(exc.problem.get("type", "")).rsplit("/", 1)[-1]
    if exc.status == 404:
        return say("not_found", language)
    if slug == "wrong-code":
        return say("wrong_factor", language, n=int(exc.problem.get("attempts_left", 0) or 0))
    if slug == "bad-factor":
        return say("bad_factor", language)
    if exc.status == 410:
        return say("expired", language)
    return say("kiosk_refused", language)
