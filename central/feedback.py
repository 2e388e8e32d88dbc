"""One feedback question on every channel and at every ending: the 5-point satisfaction scale.

The question (GOV.UK's satisfaction survey and OMB Circular A-11 §280 ask it the same way):
"Overall, how did you feel about the service you received today?" — very satisfied, satisfied,
neither satisfied or dissatisfied, dissatisfied, very dissatisfied — and an optional comment.

Stored as **one event type**, ``feedback_given``, in the case's history, on the channel it came from
(``kiosk``, ``web``, ``counter``, ``phone``, ``assisted``: the event's channel, from the caller),
with the payload::

    {"score": 1..5, "ending": ENDING, "comment"?: str (≤ 500 characters)}

``score`` 5 is very satisfied, 1 very dissatisfied. ``ending`` is where the citizen was when asked:
``completed`` (sent), ``not_eligible`` (the service said no: an outcome, not an error),
``handed_off`` (to their phone, a slip or staff), ``abandoned`` (left the kiosk before sending),
``timed_out`` (their web session ended). Rows migrated from the older shapes also keep
``mapped_from`` (what was stored before; see below) so a figure can always be traced back.

The comment may be personal data: it is never logged, shown to staff only (the case page), never
in a funnel event, a rollup or an export.

**Older shapes, and how they map** (:func:`from_client` for kiosks not yet updated; the Alembic
migration ``0008`` rewrote the rows stored before it with the same functions' tables):

* the kiosk's 4-point score ``{"score": 1..4, "reason"?}`` (1 very dissatisfied … 4 very satisfied;
  it had no middle point) → :data:`KIOSK_4_TO_5`: 4 → 5 very satisfied, 3 → 4 satisfied,
  2 → 2 dissatisfied, 1 → 1 very dissatisfied — each named point to the point of the same name, so
  the share satisfied (4–5) and dissatisfied (1–2) is unchanged and nothing lands on "neither";
  ``reason`` becomes ``comment``; the ending ``completed`` (the kiosk asked only after a case
  was sent). A payload without ``ending`` is read as this shape.
* the web's 3-point rating, stored as a staff note ``note_added {"kind": "feedback", "rating":
  "good" | "ok" | "poor", "text"}`` → :data:`WEB_3_TO_5`: good → 4 satisfied, ok → 3 neither,
  poor → 2 dissatisfied (a 3-point answer says nothing of "very", so it takes the moderate point);
  ``text`` becomes ``comment``; the ending ``completed`` (the web asked only on its done page); the
  event becomes ``feedback_given`` with its channel ``web``.
"""

from __future__ import annotations

from typing import Any

EVENT_TYPE = "feedback_given"
SCORES = (5, 4, 3, 2, 1)
"""Best first, as the question lists them."""
LABELS = {
    5: "very satisfied",
    4: "satisfied",
    3: "neither satisfied or dissatisfied",
    2: "dissatisfied",
    1: "very dissatisfied",
}
ENDINGS = ("completed", "not_eligible", "handed_off", "abandoned", "timed_out")
MAX_COMMENT = 500
KIOSK_4_TO_5 = {4: 5, 3: 4, 2: 2, 1: 1}
WEB_3_TO_5 = {"good": 4, "ok": 3, "poor": 2}
LEGACY_ENDING = "completed"


class FeedbackError(ValueError):
    """A feedback payload that is neither the current shape nor the kiosk's older one."""


def payload(score: int, ending: str, comment: str | None = None) -> dict[str, Any]:
    """The ``feedback_given`` payload; :class:`FeedbackError` when a value is out of range."""
    if type(score) is not int or score not in SCORES:
        raise FeedbackError("score must be a whole number from 1 (very dissatisfied) to 5")
    if ending not in ENDINGS:
        raise FeedbackError(f"ending must be one of {', '.join(ENDINGS)}")
    if comment is not None and not isinstance(comment, str):
        raise FeedbackError("comment must be text")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise FeedbackError(f"comment must be at most {MAX_COMMENT} characters")
    out: dict[str, Any] = {"score": score, "ending": ending}
    if text:
        out["comment"] = text
    return out


def from_kiosk_4(score: Any, reason: Any = None, *, cut: bool = False) -> dict[str, Any]:
    """A kiosk's older 4-point score, mapped (see the module docstring). A reason longer than
    :data:`MAX_COMMENT` is refused — or, for rows stored before (``cut``), cut to it."""
    if type(score) is not int or score not in KIOSK_4_TO_5:
        raise FeedbackError("an older kiosk score is a whole number from 1 to 4")
    if reason is not None and not isinstance(reason, str):
        raise FeedbackError("reason must be text")
    comment = (reason or "").strip()
    if cut:
        comment = comment[:MAX_COMMENT]
    mapped = payload(KIOSK_4_TO_5[score], LEGACY_ENDING, comment or None)
    return mapped | {"mapped_from": {"scale": "kiosk-4", "score": score}}


def from_web_note(note: dict[str, Any]) -> dict[str, Any]:
    """A web feedback note's payload (``kind`` feedback), mapped (see the module docstring)."""
    rating = note.get("rating")
    if rating not in WEB_3_TO_5:
        raise FeedbackError("a web feedback note's rating is good, ok or poor")
    text = note.get("text")
    comment = (text if isinstance(text, str) else "").strip()[:MAX_COMMENT]
    mapped = payload(WEB_3_TO_5[rating], LEGACY_ENDING, comment or None)
    return mapped | {"mapped_from": {"scale": "web-3", "rating": rating}}


def from_client(data: dict[str, Any]) -> dict[str, Any]:
    """The stored payload for a ``feedback_given`` event a client sent: the current shape
    (``score`` 1–5, ``ending``, ``comment``?), or — without ``ending`` — a kiosk not yet updated
    (``score`` 1–4, ``reason``?), mapped. :class:`FeedbackError` for anything else."""
    if not isinstance(data, dict):
        raise FeedbackError("the payload must be an object")
    if "ending" in data:
        if set(data) - {"score", "ending", "comment"}:
            raise FeedbackError("feedback has score, ending and an optional comment only")
        return payload(data.get("score"), data["ending"], data.get("comment"))  # type: ignore[arg-type]
    if set(data) - {"score", "reason"}:
        raise FeedbackError(
            "feedback_given needs score 1-5 and ending (or an older kiosk's score 1-4 and reason)"
        )
    return from_kiosk_4(data.get("score"), data.get("reason"))


def score_label(score: Any) -> str:
    return LABELS.get(score, str(score))
