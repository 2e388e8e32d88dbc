"""Where fleet alerts go (issue 14 item 5): a webhook (JSON, HMAC-SHA256 signed) and e-mail (SMTP).

Why both: a webhook feeds a chat room or an incident tool; e-mail reaches the office manager who
has neither. Each is optional and configured from the environment (:class:`AlertSettings`,
``KIOSK_CENTRAL_ALERT_*``); with neither, alerts are still kept and listed
(``kiosk-central alerts``) and nothing is sent.

The webhook's body is JSON; ``X-Omnikiosk-Timestamp`` is the Unix time of sending and
``X-Omnikiosk-Signature`` is ``sha256=<hex>`` of HMAC-SHA256 with the shared secret over
``"<timestamp>." + body``. A receiver recomputes it, compares in constant time and refuses a
timestamp older than a few minutes, so a captured request cannot be replayed later
(:func:`verify` does exactly that; it is what a receiver in Python would write).

Failure model: a channel that fails raises :class:`NotifyError` (urllib's and smtplib's errors are
translated here, and the message never holds the secret, the password or the URL's query). The
evaluator (:mod:`central.fleet.alerts`) gives the notice back to be sent again at the next
evaluation when every channel failed. Secrets are never logged: :class:`AlertSettings` hides them in
its ``repr``.

Errors::

    Exception
    └── NotifyError   a channel could not deliver (the sentence says which and why)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urlsplit

__all__ = [
    "AlertSettings",
    "Channel",
    "Email",
    "Notice",
    "NotifyError",
    "Webhook",
    "channels_from",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Omnikiosk-Signature"
TIMESTAMP_HEADER = "X-Omnikiosk-Timestamp"
REPLAY_WINDOW_S = 300
ENV = "KIOSK_CENTRAL_ALERT_"

RULE_TITLES = {
    "silent": "Kiosk silent (two heartbeats missed)",
    "device_fault": "Device fault",
    "paper_near_end": "Receipt paper near its end",
    "outbox_backlog": "Outbox backlog",
    "version_drift": "Software version differs from the fleet's",
    "crash_loop": "Crash loop (app restarting over and over)",
    "out_of_service": "Out of service",
}


class NotifyError(Exception):
    pass


@dataclass(frozen=True)
class Notice:
    """One thing to say: an alert ``opened`` or ``resolved``."""

    event: str
    alert_id: int
    device_id: str
    kiosk: str
    office: str
    rule: str
    detail: str
    opened_at: datetime
    resolved_at: datetime | None = None

    @property
    def title(self) -> str:
        return RULE_TITLES.get(self.rule, self.rule)

    def subject(self) -> str:
        head = "Resolved" if self.event == "resolved" else "Alert"
        return f"[kiosk {head.lower()}] {self.title}: {self.kiosk} ({self.office})"

    def body(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "alert_id": self.alert_id,
            "rule": self.rule,
            "title": self.title,
            "device_id": self.device_id,
            "kiosk": self.kiosk,
            "office": self.office,
            "detail": self.detail,
            "opened_at": self.opened_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }

    def text(self) -> str:
        lines = [
            f"{'Resolved' if self.event == 'resolved' else 'Opened'}: {self.title}",
            f"Kiosk: {self.kiosk} ({self.device_id}), office {self.office}",
            f"Detail: {self.detail}",
            f"Opened at: {self.opened_at.isoformat()}",
        ]
        if self.resolved_at is not None:
            lines.append(f"Resolved at: {self.resolved_at.isoformat()}")
        return "\n".join(lines) + "\n"


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: bytes, timestamp: str, body: bytes, signature: str, now: float,
    window_s: float = REPLAY_WINDOW_S,
) -> bool:  # fmt: skip
    """What a receiver checks: a fresh timestamp and the signature over it and the body."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"


def _urllib_post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    """POST with the standard library: unlike httpx it logs nothing, and a webhook URL often
    carries a token in its query that must stay out of every log."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class Webhook:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        clock: Callable[[], float] = time.time,
        post: Callable[[str, bytes, dict[str, str], float], int] | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.url = url
        self._secret = secret
        self.clock = clock
        self._post = post or _urllib_post
        self.timeout_s = timeout_s

    def send(self, notice: Notice) -> None:
        body = json.dumps(notice.body(), separators=(",", ":"), sort_keys=True).encode()
        stamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(self._secret, stamp, body),
        }
        where = _safe_url(self.url)
        try:
            status = self._post(self.url, body, headers, self.timeout_s)
        except OSError as exc:
            raise NotifyError(f"webhook {where}: {type(exc).__name__}") from None
        if status >= 300:
            raise NotifyError(f"webhook {where}: HTTP {status}")


class Email:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
        smtp: Callable[..., smtplib.SMTP] = smtplib.SMTP,
    ) -> None:
        self.host, self.port = host, port
        self.sender, self.recipients = sender, tuple(recipients)
        self.username, self._password = username, password
        self.starttls = starttls
        self.timeout_s = timeout_s
        self._smtp = smtp

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Subject"] = notice.subject()
        message["X-Omnikiosk-Alert"] = f"{notice.alert_id} {notice.event}"
        message.set_content(notice.text())
        try:
            with self._smtp(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifyError(f"e-mail via {self.host}:{self.port}: {type(exc).__name__}") from None


@dataclass(frozen=True)
class AlertSettings:
    """``KIOSK_CENTRAL_ALERT_*``: ``WEBHOOK_URL`` + ``WEBHOOK_SECRET``; ``SMTP_HOST``,
    ``SMTP_PORT`` (25), ``MAIL_FROM``, ``MAIL_TO`` (commas), ``SMTP_USER``, ``SMTP_PASSWORD``,
    ``SMTP_STARTTLS`` (1/0); ``VERSION`` (the version every kiosk should run; default: the
    fleet's most common)."""

    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "kiosk-alerts@localhost"
    mail_to: tuple[str, ...] = ()
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    expected_version: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(ENV + name, "").strip() or None

        port = get("SMTP_PORT")
        return cls(
            webhook_url=get("WEBHOOK_URL"),
            webhook_secret=get("WEBHOOK_SECRET"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=int(port) if port and port.isdigit() else 25,
            mail_from=get("MAIL_FROM") or cls.mail_from,
            mail_to=tuple(a.strip() for a in (get("MAIL_TO") or "").split(",") if a.strip()),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=(get("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes", "on"),
            expected_version=get("VERSION"),
        )

    def problems(self) -> list[str]:
        found = []
        if self.webhook_url and not self.webhook_secret:
            found.append(f"{ENV}WEBHOOK_URL is set without {ENV}WEBHOOK_SECRET (nothing signed)")
        if self.smtp_host and not self.mail_to:
            found.append(f"{ENV}SMTP_HOST is set without {ENV}MAIL_TO")
        return found


def channels_from(settings: AlertSettings) -> list[Channel]:
    """The configured channels (a webhook without its secret is not used: see ``problems``)."""
    found: list[Channel] = []
    if settings.webhook_url and settings.webhook_secret:
        found.append(Webhook(settings.webhook_url, settings.webhook_secret.encode()))
    if settings.smtp_host and settings.mail_to:
        found.append(
            Email(
                settings.smtp_host,
                settings.smtp_port,
                settings.mail_from,
                settings.mail_to,
                username=settings.smtp_user,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
            )
        )
    return found
