"""Printed-slip resume codes: 30 days of life, opened only with a second factor chosen at the kiosk.

Second factors (the citizen picks one at the kiosk):

* ``dob`` — date of birth, typed ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (stored normalised ISO);
* ``phone_last3`` — the last 3 digits of their phone number;
* ``pin`` — a 4 to 6 digit PIN.

The factor is hashed with argon2id; the code itself (≈ 52 bits) with SHA-256 so it can be looked up.
Five wrong factors lock the code — exactly five, however many guesses arrive at once on however many
processes and nodes: each try is reserved in the database before the factor is checked (see
:func:`redeem`). The per-client rate limit (in the routes) bounds code guessing.

A kiosk that printed a slip while central was unreachable made the code itself (``kiosk.references``,
same format) and sends it later with the factor, sealed in its outbox like the answers. Central then
takes the **proposed** code (``code`` in the body): malformed → :class:`CodeFormatError` (422); the
same code already registered for this case with the same factor → a replay (the first row is
answered, nothing new is written); any other holder → :class:`CodeTaken` (409). The code is hashed
on arrival exactly like a drawn one, so a kiosk-made code is indistinguishable once stored.

Preferences that travel (issue 19 item 6): a code may carry the citizen's language and
accessibility settings (``preferences``, checked by ``central.schemas.CarriedPreferences`` at the
edge). They are stored on the code's row only — not on the case, not in the ``handed_off`` event —
and given back with the case when the code is redeemed, so the kiosk can show the step in the
person's language, text size and colours (the web's ``/resume``, ``central.web.claim_routes``, sets
its page language from them). A web save carries the page's language over what the
handoff that opened the web session carried (:func:`web_preferences`).

Where a code opens its case (:func:`kiosk_may_open`, the one place this rule lives): at the web's
``/resume`` anywhere, and at any kiosk **of the office that holds the case** (its origin office:
the citizen chose it on the web, or it is the office of the kiosk that started it). The case keeps
that office — its staff queue, its reference — and a kiosk writes only to cases of its own office
(``Principal.may_touch_office``), so a kiosk of another office could open the case but not save a
step of it; it answers "not found" instead.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.auth.principal import Principal
from central.db.models import Case
from central.handoff import codes
from central.handoff.errors import HandoffExpired, HandoffNotFound, WrongCode
from central.handoff.history import append_event, lock_case
from central.handoff.models import Handoff, ResumeCode, WebSession
from central.handoff.service import Policy, give_back_attempt, take_attempt

RESUME_CODES = ResumeCode.__table__

RESUME_PURPOSE = "resume-code"
FACTOR_KINDS = ("dob", "phone_last3", "pin")


class FactorError(ValueError):
    """A second factor that is malformed for its kind (not a wrong one)."""


class CodeFormatError(ValueError):
    """A kiosk-proposed resume code that is not ``XXXX-XXXX-XXXX`` of the code alphabet."""


class CodeTaken(ValueError):
    """A kiosk-proposed resume code that another case (or another factor) already holds."""


def normalise_factor(kind: str, value: str) -> str:
    text = (value or "").strip()
    if kind == "dob":
        m = re.fullmatch(r"(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})", text)
        try:
            parsed = date(int(m[3]), int(m[2]), int(m[1])) if m else date.fromisoformat(text)
        except ValueError:
            raise FactorError("Enter a real date of birth, for example 27/03/1985.") from None
        return parsed.isoformat()
    digits = re.sub(r"[\s\-]", "", text)
    if kind == "phone_last3":
        if not re.fullmatch(r"\d{3}", digits):
            raise FactorError("Enter the last 3 digits of your phone number.")
        return digits
    if kind == "pin":
        if not re.fullmatch(r"\d{4,6}", digits):
            raise FactorError("Enter your PIN: 4 to 6 digits.")
        return digits
    raise FactorError(f"Unknown second factor {kind!r}; use one of {', '.join(FACTOR_KINDS)}.")


@dataclass(frozen=True)
class IssuedResume:
    row: ResumeCode
    code: str

    @property
    def until(self) -> date:
        """The last day the code opens the case."""
        return self.row.expires_at.date()


def create_resume_code(
    session: Session,
    case: Case,
    device_id: str | None,
    factor_kind: str,
    factor_value: str,
    now: datetime,
    policy: Policy,
    proposed: str | None = None,
    *,
    channel: str = "kiosk",
    actor_type: str = "device",
    actor_id: str | None = None,
    preferences: dict[str, Any] | None = None,
) -> IssuedResume:
    """A new code for ``case`` (drawn here, or ``proposed`` by the kiosk; see the module doc).
    ``channel``/``actor_type``/``actor_id``: who asked (the web's "save and come back later" is
    channel ``web``, actor ``citizen``; a kiosk's slip, the default, its device). ``preferences``:
    already checked (``CarriedPreferences.stored()``), kept on the code's row only."""
    factor = normalise_factor(factor_kind, factor_value)
    if proposed is None:
        code = codes.new_resume_code()
    else:
        letters = codes.normalise_code(proposed, codes.RESUME_CODE_LETTERS)
        if letters is None:
            raise CodeFormatError("A resume code is 12 letters of " + codes.ALPHABET + ".")
        code = codes.format_code(letters)
    code_hash = codes.hash_secret(codes.normalise_code(code, 12) or "", RESUME_PURPOSE)
    if proposed is not None:
        held = session.scalar(select(ResumeCode).where(ResumeCode.code_hash == code_hash))
        if held is not None:
            same = held.case_id == case.id and held.factor_kind == factor_kind
            if same and codes.verify_factor(held.factor_hash, factor):
                return IssuedResume(held, code)  # the relay's replay of a code already stored
            raise CodeTaken("That resume code is already in use.")
    row = ResumeCode(
        id=uuid.uuid4(),
        case_id=case.id,
        code_hash=code_hash,
        factor_kind=factor_kind,
        factor_hash=codes.hash_factor(factor),
        device_id=device_id,
        created_at=now,
        expires_at=now + timedelta(days=policy.resume_days),
        failed_attempts=0,
        preferences=preferences or None,
    )
    session.add(row)
    append_event(
        session,
        case,
        type="handed_off",
        payload={
            "to": "web",
            "stage": "saved" if channel == "web" else "slip_printed",
            "factor_kind": factor_kind,
            "made_by": "kiosk" if proposed is not None else "central",
        },
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id if actor_id is not None else device_id,
        device_id=device_id,
        now=now,
    )
    return IssuedResume(row, code)


def issue_for(
    session: Session,
    case_id: uuid.UUID,
    factor_kind: str,
    factor_value: str,
    now: datetime,
    policy: Policy,
    *,
    channel: str,
    actor_type: str,
    actor_id: str | None,
    preferences: dict[str, Any] | None = None,
) -> tuple[Case, IssuedResume]:
    """:func:`create_resume_code` asked for on our own pages (the web's "save and come back later",
    the staff desk's slip): the case locked first, the code drawn here. Raises what that raises
    (:class:`FactorError`, :class:`central.fold.FoldError`); the caller commits or rolls back."""
    case = lock_case(session, case_id)
    assert case is not None
    issued = create_resume_code(
        session,
        case,
        None,
        factor_kind,
        factor_value,
        now,
        policy,
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id,
        preferences=preferences,
    )
    return case, issued


def web_preferences(session: Session, web: WebSession, language: str) -> dict[str, Any]:
    """What a web save carries: what the handoff that opened this web session carried (a kiosk's
    text size, colours, audio...), with the web page's language over it."""
    carried: dict[str, Any] = {}
    if web.handoff_id is not None:
        handoff = session.get(Handoff, web.handoff_id)
        if handoff is not None and isinstance(handoff.preferences, dict):
            carried = dict(handoff.preferences)
    carried["language"] = language
    return carried


def kiosk_may_open(principal: Principal, case: Case) -> bool:
    """The office rule of resuming at a kiosk (see the module docstring): a kiosk opens a code's
    case only when the case belongs to its own office."""
    return principal.may_touch_office(case.origin_office)


def find_resume_code(session: Session, code: str) -> ResumeCode:
    normal = codes.normalise_code(code, codes.RESUME_CODE_LETTERS)
    presented = codes.hash_secret(normal or "", RESUME_PURPOSE)
    row = (
        session.scalar(select(ResumeCode).where(ResumeCode.code_hash == presented))
        if normal
        else None
    )
    if row is None or not codes.same_hash(row.code_hash, presented):
        raise HandoffNotFound("We could not find that code. Check it against your slip.")
    return row


def redeem(
    session: Session, code: str, factor_value: str, now: datetime, policy: Policy
) -> ResumeCode:
    """The resume code when ``factor_value`` matches.

    The try is reserved and **committed** before the factor is compared
    (:func:`central.handoff.service.take_attempt`): however many guesses arrive at once, on however
    many processes and nodes, at most ``policy.max_code_attempts`` factors are ever checked. A wrong
    factor keeps its reservation (:class:`WrongCode`, with the tries left as the reservation
    counted them; :class:`HandoffExpired` for the last one); a right one gives it back in the
    session's transaction — the route, the request's transaction owner (:mod:`central.deps`),
    commits it as soon as this returns, so it never counts as wrong whatever the route does next.
    Raises :class:`FactorError` for a malformed factor (not counted: it cannot be right, and telling
    the citizen the expected shape is no leak)."""
    row = find_resume_code(session, code)
    if row.expires_at <= now:
        raise HandoffExpired(
            "This slip has expired. Start again at a kiosk or ask a member of staff."
        )
    factor = normalise_factor(row.factor_kind, factor_value)
    taken = take_attempt(session, RESUME_CODES, row.id, policy.max_code_attempts)
    if taken is None:
        raise HandoffExpired("Too many wrong tries. Ask a member of staff for help.")
    if not codes.verify_factor(row.factor_hash, factor):
        left = max(0, policy.max_code_attempts - taken)
        if left == 0:  # this wrong one was the last: the client's attempt counts too
            raise HandoffExpired(
                "Too many wrong tries. Ask a member of staff for help.", attempts_left=0
            )
        raise WrongCode("That does not match what you chose at the kiosk.", attempts_left=left)
    give_back_attempt(session, RESUME_CODES, row.id)
    session.refresh(row)  # the reservation and its give-back were Core statements
    row.last_used_at = now
    return row
