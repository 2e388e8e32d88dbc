"""The kiosk's link to the central case service: an HTTP client with timeouts, retries and our own
errors (see :mod:`kiosk.link.errors` for the exception tree). Kiosk and central talk only HTTP."""

from kiosk.link.client import CentralClient
from kiosk.link.errors import CentralError, Conflict, Offline, Rejected, Unauthorised
from kiosk.link.transport import HttpResponse, RequestsTransport, Transport, TransportError

__all__ = [
    "CentralClient",
    "CentralError",
    "Conflict",
    "HttpResponse",
    "Offline",
    "Rejected",
    "RequestsTransport",
    "Transport",
    "TransportError",
    "Unauthorised",
]
