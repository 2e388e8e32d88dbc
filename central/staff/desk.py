"""The case at the staff desk: who may work it, and the pages it is shown on.

Why a module of its own: the desk's pages (:mod:`central.staff.new_case_routes`, the steps) and its
ways of handing a case on (:mod:`central.staff.hand_on`) work the same :class:`Desk` — the case,
its service and the citizen's language — found and checked the same way (:func:`desk_case`: the
member's role, their office, a case started at the counter or on the phone line; 404 otherwise,
so a case id reveals nothing). Events go through the case store (:mod:`central.cases.store`) on the
case's channel, as the member of staff; the route that called commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.model import Channel, Service
from central.cases.store import append_event, lock_case
from central.db.models import Case, CaseEvent
from central.deps import ClockDep
from central.problems import AnswerInstead
from central.staff import auth
from central.staff.routes import StaffCtx, console_page, forbidden, page
from central.web import forms
from central.web.i18n import t

STAFF_CHANNELS = ("counter", "phone")
"""The channels a member of staff starts a case on: a citizen at the desk, or on a call."""
CHANNEL_NAMES = {"counter": "At the counter", "phone": "On the phone line"}
LANGS = {"en": "English", "cy": "Cymraeg (Welsh)"}
EDITABLE = ("open", "waiting_for_staff", "with_staff")


def offered(service: Service, channel: str) -> bool:
    """Whether ``service`` may be started by staff on ``channel``: the catalogue's ``staff``
    channel covers the counter and the phone line; ``counter``/``phone`` name one of them."""
    return Channel.STAFF in service.channels or channel in {c.value for c in service.channels}


def staff_page(
    request: Request, template: str, ctx: auth.StaffContext, status: int = 200, **values: Any
) -> HTMLResponse:
    """A staff page whose catalogue texts are in the citizen's language (``lang``, default
    English): the console's own words stay English, the service's are the citizen's."""
    lang = values.pop("lang", "en")
    errors = values.pop("errors", [])
    shown = [
        (e.anchor, e.message.get(lang)) if isinstance(e, forms.FieldError) else e for e in errors
    ]
    return console_page(
        template,
        ctx,
        status,
        lang=lang,
        t=lambda key, **fmt: t(lang, key, **fmt),
        text=lambda value: value.get(lang) if value is not None else "",
        errors=shown,
        channel_names=CHANNEL_NAMES,
        **values,
    )


def desk_page(
    request: Request,
    template: str,
    ctx: auth.StaffContext,
    desk: Desk,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A :func:`staff_page` of the case at the desk: its case (unless ``case`` is given), service
    and the citizen's language."""
    values.setdefault("case", desk.case)
    return staff_page(
        request, template, ctx, status, lang=desk.lang, service=desk.service, **values
    )


def staff_message(ctx: auth.StaffContext, status: int, title: str, body: str) -> HTMLResponse:
    return page("staff/message.html", status, me=ctx, title=title, body=body)


class Desk:
    """A case started at the counter or on the phone, as one member of staff works it."""

    def __init__(self, case: Case, service: Service | None, lang: str) -> None:
        self.case = case
        self.service = service
        self.lang = lang

    @property
    def channel(self) -> str:
        return self.case.origin_channel

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.case.answers or {})

    def append(
        self, session: Session, staff_id: str, type_: str, payload: dict[str, Any], now: Any
    ) -> Case:
        """Lock the case and append an event of this member of staff (``staff_id``) on the case's
        channel; the case as it now is. Raises :class:`FoldError` when the case cannot take it.
        The caller commits."""
        case = lock_case(session, self.case.id)
        assert case is not None
        append_event(
            session,
            case,
            type=type_,
            payload=payload,
            channel=self.channel,
            actor_type="staff",
            actor_id=staff_id,
            now=now,
        )
        return case


CHANGED = (
    "This case was changed on another channel since this page was shown (for example on the "
    "citizen's phone). Nothing was saved: check the answers as they are now and try again."
)


def changed_meanwhile(desk: Desk, form: dict[str, str]) -> bool:
    """Whether the case changed since the page was shown: its forms carry the case's version
    (``version``, the ETag of the API), so two channels editing at once never overwrite each
    other — the later one is told. A form without it (not from our pages) is not checked."""
    shown = form.get("version")
    return shown is not None and shown != str(desk.case.version)


def desk_case(
    request: Request, session: Session, ctx: auth.StaffContext, case_id: str
) -> Desk | HTMLResponse:
    """The case when this member may work it here, else the page saying why (404 for a case
    that does not exist, is of another office or did not start at the counter or on the phone)."""
    if not ctx.may("assign"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) may not work on cases.")
    try:
        case = session.get(Case, uuid.UUID(case_id))
    except ValueError:
        case = None
    if (
        case is None
        or not ctx.may_see_office(case.origin_office)
        or case.origin_channel not in STAFF_CHANNELS
    ):
        return staff_message(ctx, 404, "No such case", "No case with that id in your office.")
    created = session.scalar(
        select(CaseEvent.payload).where(CaseEvent.case_id == case.id, CaseEvent.seq == 1)
    )
    lang = (created or {}).get("language", "en")
    return Desk(case, request.app.state.catalogue.service(case.service_id), lang)


def editable(
    request: Request, session: Session, ctx: auth.StaffContext, case_id: str
) -> Desk | Response:
    """:func:`desk_case`, when its answers may still change; else the page saying why (the
    service left the catalogue) or the case's confirmation (already sent)."""
    desk = desk_case(request, session, ctx, case_id)
    if not isinstance(desk, Desk):
        return desk
    if desk.service is None:
        return staff_message(
            ctx,
            410,
            "Service withdrawn",
            "This service is no longer in the catalogue. The answers given are kept on the case.",
        )
    if desk.case.status not in EDITABLE:
        return RedirectResponse(f"/staff/new/{desk.case.id}/done", status_code=303)
    return desk


@dataclass(frozen=True)
class AtDesk:
    """What every desk route starts from: the request, the member of staff (``ctx``), the case
    id of its path and the clock. The case itself is looked up in the route's own transaction
    (:meth:`desk`, :meth:`editable`), so what the route checks and what it writes are read
    together; a case this member may not work answers its page instead of the route's."""

    request: Request
    case_id: str
    ctx: auth.StaffContext
    clock: Callable[[], datetime]

    def desk(self, session: Session) -> Desk:
        """:func:`desk_case`, or its page answered instead (:class:`AnswerInstead`)."""
        return _or_answer(desk_case(self.request, session, self.ctx, self.case_id))

    def editable(self, session: Session) -> Desk:
        """:func:`editable`, or its page (or redirect) answered instead."""
        return _or_answer(editable(self.request, session, self.ctx, self.case_id))


def _or_answer(found: Desk | Response) -> Desk:
    if not isinstance(found, Desk):
        raise AnswerInstead(found)
    return found


async def _at_desk(request: Request, case_id: str, ctx: StaffCtx, clock: ClockDep) -> AtDesk:
    return AtDesk(request, case_id, ctx, clock)


AtDeskDep = Annotated[AtDesk, Depends(_at_desk)]
"""A desk route's parameter instead of ``request``, ``case_id``, ``ctx`` and ``clock``."""
