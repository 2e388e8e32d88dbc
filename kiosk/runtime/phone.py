"""The kiosk's side of "continue on your phone" (RFC 8628 ideas, central.handoff on the server).

The kiosk asks central for a handoff and shows what comes back: a QR code of the link whose secret
sits after '#', and for people who type, one sentence (:func:`typed_fallback`): "Or go to <address>
and enter HHHHH-XXXX-XXXX" — the address is the link without its secret (``<base>/h``, with
``?lang=cy`` when the citizen chose Welsh, so the page opens in Welsh), and the code is the one
code that page asks for. Then it polls — never faster than
the server's interval, and 5 s slower each time central answers ``slow_down`` — until the phone
claims it, the offer expires, or the citizen gives up. A claim is not trusted on its own: the
citizen must confirm on the kiosk that the phone showing the same code is theirs (or decline it,
which voids the claim); only then does the session end and wipe.

Time comes from an injected monotonic clock, so the polling rules are tested without sleeping.

The handoff carries the person's language and accessibility settings (issue 19 item 6): the
screens hand them over just before asking (:func:`carry_on_handoff`, to the runtime's central
client, which sends them with that case's handoff only); central keeps them on the handoff row,
and a save on the phone passes them on to the code a kiosk opens later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kiosk.link.errors import Offline
from kiosk.ui.i18n import N_

__all__ = [
    "TYPED_FALLBACK",
    "PhoneHandoff",
    "PhoneOffer",
    "SLOW_DOWN_STEP_S",
    "carry_on_handoff",
    "typed_fallback",
]

TYPED_FALLBACK = N_("Or go to {url} and enter {code}")
"""What the kiosk says under the QR code for people who type (translated in the kiosk catalogs)."""

SLOW_DOWN_STEP_S = 5.0
FINAL = frozenset({"confirmed", "declined", "expired"})


class HandoffApi(Protocol):
    def create_handoff(self, case_id: str) -> dict[str, Any]: ...
    def handoff_status(self, handoff_id: str) -> dict[str, Any]: ...
    def confirm_handoff(self, handoff_id: str) -> dict[str, Any]: ...
    def decline_handoff(self, handoff_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PhoneOffer:
    handoff_id: str
    display_code: str
    url: str  # for the QR code only: the secret is after '#'; never logged, never printed
    expires_in: int

    def __repr__(self) -> str:  # the URL holds the secret
        return f"PhoneOffer({self.handoff_id!r}, code={self.display_code!r})"

    @property
    def address(self) -> str:
        """The link without its secret: where a citizen types :attr:`display_code`."""
        return self.url.split("#", 1)[0]


def typed_fallback(offer: PhoneOffer, gettext: Callable[[str], str]) -> str:
    """The sentence the phone screen shows under the QR code, in the language of ``gettext``
    (a bound translator): the address to type and the one code to enter there."""
    return gettext(TYPED_FALLBACK).format(url=offer.address, code=offer.display_code)


def carry_on_handoff(backend: object, case_id: str, preferences: Mapping[str, Any]) -> bool:
    """Hand the person's preferences to the runtime's central client (``backend.client``) for
    ``case_id``'s next handoff; False when the backend has none (a test double)."""
    carry = getattr(getattr(backend, "client", None), "carry_on_handoff", None)
    if not callable(carry):
        return False
    carry(case_id, preferences)
    return True


def with_language(url: str, language: str | None) -> str:
    """``url`` with ``lang=`` in its query (before the ``#`` secret), so the phone opens in the
    language the citizen chose at the kiosk."""
    if not language:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", language)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class PhoneHandoff:
    """One offer to one phone, polled politely."""

    def __init__(
        self,
        api: HandoffApi,
        case_id: str,
        *,
        language: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.case_id = case_id
        self.language = language
        self.monotonic = monotonic
        self.offer: PhoneOffer | None = None
        self.interval = 5.0
        self.status = "new"
        self._expires_at = 0.0
        self._next_poll = 0.0

    def start(self) -> PhoneOffer:
        """Ask central for the handoff (raises CentralError when it cannot)."""
        answer = self.api.create_handoff(self.case_id)
        self.offer = PhoneOffer(
            str(answer["id"]),
            str(answer["display_code"]),
            with_language(str(answer["verification_uri_complete"]), self.language),
            int(answer.get("expires_in", 600)),
        )
        self.interval = float(answer.get("interval", 5))
        now = self.monotonic()
        self._expires_at = now + self.offer.expires_in
        self._next_poll = now + self.interval
        self.status = "pending"
        return self.offer

    def poll(self) -> str:
        """The status now; asks central only when the interval has passed (else the last one).
        A network failure is not a verdict: the status stays as it was and polling goes on."""
        if self.offer is None or self.status in FINAL or self.status == "claimed":
            return self.status
        now = self.monotonic()
        if now >= self._expires_at:
            self.status = "expired"
            return self.status
        if now < self._next_poll:
            return self.status
        try:
            answer = self.api.handoff_status(self.offer.handoff_id)
        except Offline:
            self._next_poll = now + self.interval
            return self.status
        status = str(answer.get("status", "pending"))
        if status == "slow_down":
            self.interval += SLOW_DOWN_STEP_S
        else:
            self.interval = float(answer.get("interval", self.interval))
            self.status = status
        self._next_poll = now + self.interval
        return self.status

    def answer(self, accept: bool) -> str:
        """The citizen's answer on the kiosk once the phone has claimed: confirm or decline."""
        if self.offer is None:
            raise RuntimeError("no handoff offered yet")
        if accept:
            self.api.confirm_handoff(self.offer.handoff_id)
        else:
            self.api.decline_handoff(self.offer.handoff_id)
        self.status = "confirmed" if accept else "declined"
        return self.status
