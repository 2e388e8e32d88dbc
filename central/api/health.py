"""``/healthz`` (the process answers) and ``/readyz`` (DB reachable, schema at head, catalogue)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from central.api.http import json_response
from central.migrate import is_at_head
from central.problems import problem_response, problem_responses
from central.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=problem_responses(503))
def readyz(request: Request) -> Response:
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = "ok" if is_at_head(state.engine) else "not at head"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
        checks["migrations"] = "unknown"
    checks["catalogue"] = "ok" if state.catalogue.loaded else "not loaded"
    if all(v == "ok" for v in checks.values()):
        return json_response({"status": "ok", "checks": checks})
    return problem_response(503, "The service is not ready.", slug="not-ready", checks=checks)
