"""The JSON API (``/api/v1``) and health routes; one module per resource, each exposing ``router``."""

PREFIX = "/api/v1"
