"""HTTP details shared by the case routes: ETags, conditional requests, JSON bodies."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response

from central.db.models import Case, CaseEvent
from central.groupcommit import GroupCommit, WriterBusy
from central.problems import ProblemError
from central.schemas import CaseOut, EventOut


def etag_of(case: Case) -> str:
    """Strong ETag: the case version (the seq of its latest event) identifies its representation."""
    return f'"{case.version}"'


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def not_modified(request: Request, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = _tags(header)
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def require_if_match(request: Request, case: Case) -> None:
    """If-Match uses the strong comparison: a weak tag never matches (RFC 9110 13.1.1)."""
    header = request.headers.get("if-match")
    current = etag_of(case)
    if header is None:
        raise ProblemError(
            428, "Send If-Match with the ETag you last read.", slug="if-match-required"
        )
    tags = _tags(header)
    if "*" in tags or current in tags:
        return
    raise ProblemError(
        412,
        "The case changed since you read it; read it again and reapply your change.",
        slug="etag-mismatch",
        headers={"ETag": current},
        current_version=case.version,
    )


def case_out(case: Case) -> dict[str, Any]:
    # pydantic's own JSON-mode dump: the same values ``jsonable_encoder`` gave (no aliases here),
    # without its second, pure-Python walk over the answers.
    return CaseOut.model_validate(case, from_attributes=True).model_dump(mode="json")


def event_out(row: CaseEvent) -> dict[str, Any]:
    return EventOut.model_validate(row, from_attributes=True).model_dump(mode="json")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status, headers=headers, media_type="application/json")


def case_response(case: Case, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response(
        case_out(case),
        status,
        {"ETag": etag_of(case), "Cache-Control": "private, no-cache"} | (headers or {}),
    )


T = TypeVar("T")
R = TypeVar("R")


def _unavailable(what: str, busy: bool, retry_after_s: int) -> ProblemError:
    detail = (
        f"Too many of these ({what}) are waiting to be stored; retry later."
        if busy
        else f"The {what} could not be stored; retry later."
    )
    return ProblemError(
        503, detail, slug="unavailable", headers={"Retry-After": str(retry_after_s)}
    )


async def stored_or_503(writer: GroupCommit[T, R], item: T, what: str, retry_after_s: int) -> R:
    """``item`` written by the group-commit ``writer``, or a 503 problem with Retry-After — never
    a success for something that was not committed. ``what``: "heartbeat", "case"..."""
    try:
        return await writer.submit(item)
    except WriterBusy:
        raise _unavailable(what, True, retry_after_s) from None
    except Exception as exc:  # noqa: BLE001 - not stored, whatever the cause: say so
        raise _unavailable(what, False, retry_after_s) from exc
