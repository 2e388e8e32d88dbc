"""A route's JSON body, read and validated only after the caller is authenticated.

Why: FastAPI reads and parses a declared body parameter *before* it runs any dependency, so a
request with no token, or a wrong one, still had its body buffered, checked for depth
(:class:`central.limits.JsonGuard`) and validated — work (and a 400/422 instead of a 401) handed
to anyone. :func:`json_body` makes the body a dependency instead: declared after the route's
authentication dependency, it runs only once that one has returned (FastAPI solves a route's
dependencies in the order of its parameters, and the first to raise ends the request), so a bad
token answers 401 and the body is never read. The heartbeat route does the same by hand
(:mod:`central.api.devices`).

Failure model: a body that is not valid JSON or not the model answers 422 with the framework's
validation errors (``loc`` starting with ``"body"``, as a declared body parameter would);
:class:`~central.limits.JsonGuard` still refuses a too-deep or malformed body (400) when this
reads it, and :class:`~central.limits.BodySizeLimit` a too-large one (413).
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError


def inlined(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """``schema`` with every ``#/$defs/...`` reference replaced by its definition: it is placed
    in the OpenAPI document by hand, where such a reference would not resolve."""
    if defs is None and isinstance(schema, dict):
        defs = schema.get("$defs", {})
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and defs is not None:
            return inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: inlined(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [inlined(v, defs) for v in schema]
    return schema


def json_body(model: Any, *, optional: bool = False) -> tuple[Any, dict[str, Any]]:
    """``(dependency, openapi_extra)`` for a route whose body is ``model`` (a pydantic model or
    a union of them): annotate the body parameter ``Annotated[model, dependency]`` after the
    authentication parameter, and pass ``openapi_extra`` to the route decorator so the OpenAPI
    document still describes the body. ``optional``: an empty body gives None."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)

    async def read(request: Request) -> Any:
        raw = await request.body()
        if optional and not raw.strip():
            return None
        try:
            return adapter.validate_json(raw)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            raise RequestValidationError(errors) from None

    extra = {
        "requestBody": {
            "required": not optional,
            "content": {"application/json": {"schema": inlined(adapter.json_schema())}},
        }
    }
    return Depends(read), extra
