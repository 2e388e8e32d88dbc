"""The service catalogue as the central service sees it: loaded once, validated answers, JSON views.

The catalogue package owns the format and the rules (``catalogue.loader.load_catalogue_strict``,
``catalogue.validation.validate_answers``, ``catalogue.serialise.service_to_dict``); this module only
adapts them to HTTP: errors become ``[{"field": ..., "message": ...}]`` lists for 422 problems.

Errors::

    RuntimeError
    └── CatalogueUnavailable   the catalogue could not be loaded (readyz reports it)
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from catalogue.model import Catalogue, Service

log = logging.getLogger("central.catalogue")


class CatalogueUnavailable(RuntimeError):
    pass


def _message(value: Any) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "en"):
        return str(value.en)
    for attr in ("message", "msg", "text"):
        if hasattr(value, attr):
            return _message(getattr(value, attr))
    return str(value)


def normalise_errors(result: Any) -> list[dict[str, str]]:
    """Whatever shape ``validate_answers`` reports errors in, as a list of field/message dicts."""
    if result is None or result is True:
        return []
    if hasattr(result, "errors") and not isinstance(result, dict | list | tuple):
        return normalise_errors(result.errors)
    errors: list[dict[str, str]] = []
    if isinstance(result, dict):
        for field_id, value in result.items():
            values = value if isinstance(value, list | tuple) else [value]
            for v in values:
                entry = {"field": str(field_id), "message": _message(v)}
                if isinstance(getattr(v, "code", None), str):
                    entry["code"] = v.code
                errors.append(entry)
        return errors
    if isinstance(result, list | tuple):
        for item in result:
            if isinstance(item, tuple) and len(item) == 2:
                errors.append({"field": str(item[0]), "message": _message(item[1])})
            elif isinstance(item, dict):  # pragma: no cover - other shapes a validator may use
                field_id = item.get("field") or item.get("field_id") or ""
                errors.append(
                    {"field": str(field_id), "message": _message(item.get("message", ""))}
                )
            else:
                field_id = getattr(item, "field", None) or getattr(item, "field_id", "")
                errors.append({"field": str(field_id), "message": _message(item)})
    return errors


def _plain(value: Any) -> Any:
    """Fallback JSON view of model objects (used only if ``catalogue.serialise`` is missing)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    return value


def service_json(service: Service) -> dict[str, Any]:
    try:
        from catalogue.serialise import service_to_dict
    except ImportError:
        return _plain(service)
    return service_to_dict(service)


class CatalogueService:
    """One loaded catalogue; cheap to query from every request."""

    def __init__(
        self,
        catalogue: Catalogue | None,
        error: str | None = None,
        *,
        validator: Callable[..., Any] | None = None,
    ) -> None:
        self._catalogue = catalogue
        self.error = error
        self._validator = validator
        self._json: dict[str, dict[str, Any]] = {}

    @classmethod
    def load(cls, directory: Path) -> CatalogueService:
        """Load strictly; a broken catalogue leaves the service up but not ready (see /readyz)."""
        try:
            from catalogue.loader import load_catalogue_strict

            return cls(load_catalogue_strict(directory))
        except Exception as exc:  # translated: any loader failure means "not ready"
            log.error("catalogue not loaded from %s: %s", directory, type(exc).__name__)
            return cls(None, error=f"{type(exc).__name__}: {exc}")

    @property
    def loaded(self) -> bool:
        return self._catalogue is not None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            raise CatalogueUnavailable(self.error or "catalogue not loaded")
        return self._catalogue

    def service(self, service_id: str) -> Service | None:
        if self._catalogue is None:
            return None
        return self._catalogue.services.get(service_id)

    def services_json(self) -> list[dict[str, Any]]:
        return [self.service_json(s.id) for s in self.catalogue.a_to_z()]  # type: ignore[misc]

    def service_json(self, service_id: str) -> dict[str, Any] | None:
        service = self.service(service_id)
        if service is None:
            return None
        if service_id not in self._json:
            self._json[service_id] = service_json(service)
        return self._json[service_id]

    def validate(
        self, service: Service, answers: dict[str, Any], today: date, *, complete: bool
    ) -> list[dict[str, str]]:
        """Field errors of ``answers`` (empty: valid). ``complete`` also demands every required
        answer (used on submission); otherwise a partial set of answers may be valid."""
        validator = self._validator
        if validator is None:
            from catalogue.validation import validate_answers as validator
        return normalise_errors(validator(service, answers, today, complete=complete))

    def normalise(self, service: Service, answers: dict[str, Any], today: date) -> dict[str, Any]:
        """Answers as every channel stores them (``"sw1a1aa"`` → ``"SW1A 1AA"``); call only after
        :meth:`validate` accepted them. ``None`` (a merge-patch removal) is kept as is."""
        try:
            from catalogue.validation import normalise
        except ImportError:  # pragma: no cover - older catalogue package
            return dict(answers)
        fields = {f.id: f for f in service.all_fields()}
        out: dict[str, Any] = {}
        for key, value in answers.items():
            f = fields.get(key)
            out[key] = value if f is None or value is None else normalise(f, value, today)
        return out
