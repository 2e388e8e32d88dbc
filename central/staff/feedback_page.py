"""``/staff/feedback``: the answers to the one feedback question given at the office's kiosks by
citizens who had no case (they left before sending; :mod:`central.feedback_api`), newest first.
Feedback about a case is on that case's page, in its timeline. Comments may be personal data:
staff of the office see them here (admins: any office, ``?office=``), nobody else, and they are
never logged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from central import feedback
from central.deps import SessionDep, one_hop
from central.feedback_api import FeedbackEvent
from central.staff.routes import StaffCtx, forbidden, page

router = APIRouter(prefix="/staff", include_in_schema=False)
SHOWN = 200


@router.get("/feedback", response_class=HTMLResponse)
@one_hop
def feedback_page(request: Request, ctx: StaffCtx, session: SessionDep) -> Response:
    if not ctx.may("view"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to feedback.")
    office = (
        request.query_params.get("office", ctx.user.office)[:64]
        if ctx.may("all_offices")
        else ctx.user.office
    )
    rows = session.scalars(
        select(FeedbackEvent)
        .where(FeedbackEvent.office == office)
        .order_by(FeedbackEvent.received_at.desc())
        .limit(SHOWN)
    ).all()
    catalogue = request.app.state.catalogue
    titles = {
        r.service_id: (s.title.en if (s := catalogue.service(r.service_id)) else r.service_id)
        for r in rows
        if r.service_id
    }
    return page(
        "staff/feedback.html",
        me=ctx,
        office=office,
        rows=rows,
        titles=titles,
        label=feedback.score_label,
    )
