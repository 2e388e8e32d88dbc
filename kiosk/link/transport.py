"""The one place the kiosk touches the network: an injectable HTTP transport.

Why injectable: the client's behaviour (timeouts, retries, error mapping) is tested with a scripted
transport and no network; the same client then runs against a real central on loopback. The default
transport is a ``requests.Session`` (connection reuse matters on a kiosk's slow uplink).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

__all__ = ["HttpResponse", "RequestsTransport", "Transport", "TransportError"]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


class TransportError(Exception):
    """The request got no HTTP answer (refused, reset, timeout, DNS); ``kind`` says which."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class Transport(Protocol):
    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: float,
    ) -> HttpResponse: ...


class RequestsTransport:
    """HTTP over requests; its exceptions become :class:`TransportError` here and nowhere else.

    The environment's settings (``HTTPS_PROXY``/``NO_PROXY``, ``REQUESTS_CA_BUNDLE``) are read once
    per origin, not on every request (requests would scan ``os.environ`` each time: ~0.4 ms of CPU
    per request on a kiosk); a kiosk's environment does not change while it runs. ``~/.netrc`` is
    not consulted: the client sends its own ``Authorization``.
    """

    def __init__(self) -> None:
        self._session = requests.Session()
        self._session.trust_env = False  # read once per origin instead, see _environment()
        self._env: dict[str, dict[str, Any]] = {}

    def _environment(self, url: str) -> dict[str, Any]:
        origin = "/".join(url.split("/", 3)[:3])
        env = self._env.get(origin)
        if env is None:
            probe = requests.Session()  # trust_env on: what requests itself would use
            env = probe.merge_environment_settings(origin + "/", {}, None, None, None)
            probe.close()
            self._env[origin] = env
        return env

    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: float,
    ) -> HttpResponse:
        env = self._environment(url)
        try:
            r = self._session.request(
                method,
                url,
                headers=dict(headers),
                data=body,
                timeout=timeout,
                allow_redirects=False,
                proxies=env["proxies"],
                verify=env["verify"],
                cert=env["cert"],
            )
        except requests.Timeout as exc:
            raise TransportError("timeout", type(exc).__name__) from None
        except requests.ConnectionError as exc:
            raise TransportError("connection", type(exc).__name__) from None
        except requests.RequestException as exc:
            raise TransportError("request", type(exc).__name__) from None
        return HttpResponse(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)

    def close(self) -> None:
        self._session.close()
