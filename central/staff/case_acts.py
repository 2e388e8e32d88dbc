"""What a member of staff does to a case from its console page: add a note, take it, close it.

Why one table: the three forms differ only in the permission they need, the event they record and
how the form becomes its payload (:data:`ACTS`); one route answers them all, so the locking,
the office check and the refusals are written once (one route function per row, registered at
``/staff/cases/{case_id}/<act>``). Each is an event through the case store
(:mod:`central.cases.store`) on the ``staff`` channel, as the member of staff; the policy table
refuses anyone else. The form comes through :data:`central.staff.routes.StaffForm` (CSRF token
and origin) before the route runs.

Failure model: a role without the permission gets the 403 page; a case of another office, or
none, the 404 page; an empty note, or a case that cannot take the event (e.g. closed), a redirect
back to the case page with ``?error=empty`` / ``?error=state`` and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from central.cases.store import FoldError, append_event, lock_case
from central.db.models import Case
from central.deps import ClockDep, SessionDep, one_hop
from central.staff.routes import StaffCtx, StaffForm, case_or_404, forbidden

router = APIRouter(prefix="/staff", include_in_schema=False)


@dataclass(frozen=True)
class Act:
    permission: str
    event_type: str
    payload_of: Callable[[dict[str, str], str], dict[str, Any] | None]
    """(form, staff id) → the event's payload, or None when the form says nothing."""


def _note(form: dict[str, str], _staff_id: str) -> dict[str, Any] | None:
    text = form.get("text", "").strip()
    return {"text": text} if text else None


def _closing(form: dict[str, str], _staff_id: str) -> dict[str, Any]:
    outcome = form.get("outcome", "").strip()[:200]
    return {"outcome": outcome} if outcome else {}


ACTS: dict[str, Act] = {
    "notes": Act("note", "note_added", _note),
    "assign": Act("assign", "assigned", lambda _form, staff_id: {"staff_id": staff_id}),
    "close": Act("close", "closed", _closing),
}


def _route(chosen: Act) -> Callable[..., Response]:
    """The POST route of one act (registered below for each row of :data:`ACTS`)."""

    @one_hop
    def act_on_case(
        case_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm
    ) -> Response:
        if not ctx.may(chosen.permission):
            return forbidden(ctx, f"Your role ({ctx.user.role}) may not do this.")
        case = case_or_404(session, ctx, case_id)
        if not isinstance(case, Case):
            return case
        payload = chosen.payload_of(form, ctx.user.id)
        if payload is None:
            return RedirectResponse(f"/staff/cases/{case.id}?error=empty", status_code=303)
        locked = lock_case(session, case.id)
        assert locked is not None  # it was read in this transaction
        try:
            append_event(
                session,
                locked,
                type=chosen.event_type,
                payload=payload,
                channel="staff",
                actor_type="staff",
                actor_id=ctx.user.id,
                now=clock(),
            )
        except FoldError:
            session.rollback()
            return RedirectResponse(f"/staff/cases/{case.id}?error=state", status_code=303)
        session.commit()
        return RedirectResponse(f"/staff/cases/{case.id}", status_code=303)

    act_on_case.__name__ = f"case_{chosen.event_type}"
    return act_on_case


for _path, _act in ACTS.items():
    router.add_api_route(f"/cases/{{case_id}}/{_path}", _route(_act), methods=["POST"])
