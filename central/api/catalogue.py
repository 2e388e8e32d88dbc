"""The service catalogue, read-only and public (every channel renders services from it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from central.api import PREFIX
from central.deps import CatalogueDep
from central.problems import ProblemError, problem_responses

router = APIRouter(prefix=PREFIX, tags=["catalogue"])


@router.get("/catalogue", responses=problem_responses(503))
def list_services(catalogue: CatalogueDep) -> dict[str, Any]:
    if not catalogue.loaded:
        raise ProblemError(503, "The catalogue is not loaded.", slug="catalogue-unavailable")
    return {"services": catalogue.services_json()}


@router.get("/catalogue/{service_id}", responses=problem_responses(404, 503))
def get_service(catalogue: CatalogueDep, service_id: str = Path(max_length=100)) -> dict[str, Any]:
    if not catalogue.loaded:
        raise ProblemError(503, "The catalogue is not loaded.", slug="catalogue-unavailable")
    found = catalogue.service_json(service_id)
    if found is None:
        raise ProblemError(404, "No such service.", slug="unknown-service")
    return found
