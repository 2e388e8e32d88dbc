"""``create_app(settings) -> FastAPI``: the central service, assembled from a registry of routers.

Router registry: :data:`ROUTER_MODULES` names modules that each expose ``router: fastapi.APIRouter``
(with its own prefix) and, optionally, ``setup(app: FastAPI) -> None`` (called before the router is
included — e.g. to mount static files). Modules in :data:`OPTIONAL_ROUTER_MODULES` are included when
they exist, so the handoff, web and staff channels plug in without editing this file. An optional
module that exists but fails to import is a bug and is raised, not hidden.

State on ``app.state``: ``settings``, ``engine``, ``sessionmaker``, ``catalogue``
(:class:`central.catalogue_service.CatalogueService`), ``clock`` (``() -> aware UTC datetime``),
``max_body_bytes``. Dependencies to read them are in :mod:`central.deps`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from central.access_log import AccessLog
from central.auth.revocations import RevocationListener
from central.catalogue_service import CatalogueService
from central.db.base import make_engine, make_sessionmaker
from central.db.types import utcnow
from central.limits import BodySizeLimit, JsonGuard
from central.openapi_doc import API_DESCRIPTION, finish_openapi
from central.problems import LastResort, install_problem_handlers
from central.settings import Settings

CORE_ROUTER_MODULES: tuple[str, ...] = (
    "central.api.health",
    "central.api.catalogue",
    "central.api.cases",
    "central.api.events",
    "central.api.queue",
    "central.api.devices",
)
OPTIONAL_ROUTER_MODULES: tuple[str, ...] = (
    "central.handoff.routes",
    "central.web.routes",
    "central.staff.routes",
    "central.staff.case_acts",
    "central.staff.new_case_routes",
    "central.feedback_api",
    "central.fleet.routes",
    "central.measure.routes",
    "central.measure.pages",
)
ROUTER_MODULES = CORE_ROUTER_MODULES + OPTIONAL_ROUTER_MODULES


def _import_optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def router_modules() -> list[ModuleType]:
    modules = [importlib.import_module(name) for name in CORE_ROUTER_MODULES]
    for name in OPTIONAL_ROUTER_MODULES:
        module = _import_optional(name)
        if module is not None:
            modules.append(module)
    return modules


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    catalogue: CatalogueService | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The ASGI app. Schema migrations are *not* run here (``kiosk-central migrate``/``serve`` do)."""
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.db_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        listener = (
            RevocationListener(engine).start() if engine.dialect.name == "postgresql" else None
        )
        alerts = None
        if getattr(app.state, "fleet_alert_loop", False):  # serve's app (central.asgi)
            from central.fleet.alerts import start_loop

            alerts = start_loop(engine, settings.catalogue_dir, app.state.clock)
        yield
        if alerts is not None:
            alerts.stop()
        if listener is not None:
            listener.stop()
        engine.dispose()

    app = FastAPI(
        title="Omnikiosk central case service",
        version="1",
        description=API_DESCRIPTION.format(days=settings.idempotency_days),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.catalogue = catalogue or CatalogueService.load(settings.catalogue_dir)
    app.state.clock = clock or utcnow
    app.state.max_body_bytes = settings.max_body_bytes

    install_problem_handlers(app)
    for module in router_modules():
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
        app.include_router(module.router)
    # Outermost last: LastResort ⊃ BodySizeLimit ⊃ JsonGuard ⊃ the routes (see central.limits).
    app.add_middleware(JsonGuard)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(LastResort)
    app.add_middleware(AccessLog)  # outermost: refused bodies are logged too

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
