"""The web channel's router (included by :func:`central.app.create_app` through its registry)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from central.web import case_routes, claim_routes, feedback_routes, start_routes
from central.web.render import STATIC

router = APIRouter(include_in_schema=False)
router.include_router(claim_routes.router)
router.include_router(case_routes.router)
router.include_router(start_routes.router)  # the front door: /, /services, /start, save, help
router.include_router(feedback_routes.router)  # feedback after a session timed out


def setup(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    start_routes.setup(app)
