"""One feedback question (issue 12 item 6): stored feedback rewritten to the 5-point shape.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Before, feedback was stored two ways; after, every one is a ``feedback_given`` event with the
payload ``{score: 1..5 (5 very satisfied), ending, comment?}`` (:mod:`central.feedback`):

* kiosk events ``feedback_given {score: 1..4, reason?}`` (1 very dissatisfied … 4 very satisfied,
  no middle point): score 4 → 5 very satisfied, 3 → 4 satisfied, 2 → 2 dissatisfied, 1 → 1 very
  dissatisfied (each named point to the point of the same name: the shares satisfied and
  dissatisfied are unchanged, nothing lands on "neither"); ``reason`` → ``comment`` (cut to 500
  characters); ending ``completed`` (the kiosk asked only once a case was sent);
* web notes ``note_added {kind: "feedback", rating: good|ok|poor, text}`` → the event type
  becomes ``feedback_given`` (same case, same ``seq``, same channel ``web``): good → 4 satisfied,
  ok → 3 neither, poor → 2 dissatisfied (a 3-point answer says nothing of "very"); ``text`` →
  ``comment``; ending ``completed`` (the web asked only on its done page).

Each rewritten payload keeps ``mapped_from`` (the old scale and value), so figures can be traced
back and the downgrade restores the old rows exactly. Events are otherwise append-only; this
migration is the documented exception. The downgrade maps feedback given on the 5-point scale
since (no ``mapped_from``) to the kiosk's shape: 5 → 4, 4 → 3, 3 → 3, 2 → 2, 1 → 1 (lossy: the
old scale has fewer points).

Self-contained on purpose: a migration must not import application code that may change later.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EVENTS = sa.table(
    "case_events",
    sa.column("id", sa.BigInteger()),
    sa.column("type", sa.String()),
    sa.column("payload", JSON),
)
KIOSK_4_TO_5 = {4: 5, 3: 4, 2: 2, 1: 1}
WEB_3_TO_5 = {"good": 4, "ok": 3, "poor": 2}
BACK_5_TO_4 = {5: 4, 4: 3, 3: 3, 2: 2, 1: 1}
MAX_COMMENT = 500
CHUNK = 1000


def _shape(score: int, comment: Any, source: dict[str, Any]) -> dict[str, Any]:
    text = (comment if isinstance(comment, str) else "").strip()[:MAX_COMMENT]
    out: dict[str, Any] = {"score": score, "ending": "completed"}
    if text:
        out["comment"] = text
    return out | {"mapped_from": source}


def _new(type_: str, payload: Any) -> tuple[str, dict[str, Any]] | None:
    """The event's new (type, payload), or None when it is no old feedback."""
    if not isinstance(payload, dict):
        return None
    if type_ == "feedback_given" and "ending" not in payload:
        score = payload.get("score")
        if type(score) is int and score in KIOSK_4_TO_5:
            source = {"scale": "kiosk-4", "score": score}
            return type_, _shape(KIOSK_4_TO_5[score], payload.get("reason"), source)
    if type_ == "note_added" and payload.get("kind") == "feedback":
        rating = payload.get("rating")
        if rating in WEB_3_TO_5:
            source = {"scale": "web-3", "rating": rating}
            return "feedback_given", _shape(WEB_3_TO_5[rating], payload.get("text"), source)
    return None


def _old(type_: str, payload: Any) -> tuple[str, dict[str, Any]] | None:
    if type_ != "feedback_given" or not isinstance(payload, dict) or "ending" not in payload:
        return None
    source = payload.get("mapped_from") or {}
    comment = payload.get("comment")
    if source.get("scale") == "web-3":
        return "note_added", {"kind": "feedback", "rating": source["rating"], "text": comment or ""}
    score = source.get("score") if source.get("scale") == "kiosk-4" else None
    if score is None:
        score = BACK_5_TO_4.get(payload.get("score"), 3)  # type: ignore[arg-type]
    return "feedback_given", {"score": score, "reason": comment}


def _rewrite(change: Any) -> None:
    conn = op.get_bind()
    last = -1
    while True:
        rows = conn.execute(
            sa.select(EVENTS.c.id, EVENTS.c.type, EVENTS.c.payload)
            .where(
                EVENTS.c.type.in_(("feedback_given", "note_added")),
                EVENTS.c.id > last,
            )
            .order_by(EVENTS.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for row in rows:
            new = change(row.type, row.payload)
            if new is not None:
                conn.execute(
                    sa.update(EVENTS)
                    .where(EVENTS.c.id == row.id)
                    .values(type=new[0], payload=new[1])
                )
        last = rows[-1].id


def upgrade() -> None:
    _rewrite(_new)


def downgrade() -> None:
    _rewrite(_old)
