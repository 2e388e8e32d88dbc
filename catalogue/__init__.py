"""The service catalogue: one definition of each service, read by every channel.

``config/services/*.toml`` (one service a file, format in config/services/README.md) is loaded by
:mod:`catalogue.loader`, which reports every mistake as a :class:`Problem`; answers are checked and
normalised by :mod:`catalogue.validation`; :mod:`catalogue.serialise` turns services into JSON.
This package imports nothing else of ours.

Errors::

    Exception
    ├── CatalogueError     load_catalogue_strict: the files have problems (``.problems``)
    └── ValueError
        ├── AnswerError    one citizen answer is not acceptable (``.field_id``, ``.code``, ``.message``)
        └── DateLimitError a date limit that is neither ISO nor an offset like -3m
"""

from __future__ import annotations

from .dates import DateLimitError
from .loader import CatalogueError, Problem, load_catalogue, load_catalogue_strict
from .model import (
    Catalogue,
    Channel,
    DocumentKind,
    Field,
    FieldType,
    LifeEvent,
    Option,
    Outcome,
    Service,
    ShowIf,
    Step,
    Text,
)
from .outcomes import outcome_for
from .serialise import service_from_dict, service_to_dict
from .validation import (
    AnswerError,
    normalise,
    validate_answers,
    validate_step,
    visible_fields,
    visible_steps,
)

__all__ = [
    "AnswerError",
    "Catalogue",
    "CatalogueError",
    "Channel",
    "DateLimitError",
    "DocumentKind",
    "Field",
    "FieldType",
    "LifeEvent",
    "Option",
    "Outcome",
    "Problem",
    "Service",
    "ShowIf",
    "Step",
    "Text",
    "load_catalogue",
    "load_catalogue_strict",
    "normalise",
    "outcome_for",
    "service_from_dict",
    "service_to_dict",
    "validate_answers",
    "validate_step",
    "visible_fields",
    "visible_steps",
]
