"""Fleet alerts delivered for real on loopback: a webhook receiver (an HTTP server of the test's own)
checks the HMAC-SHA256 signature and the timestamp the way a receiver must, and refuses a forged
or replayed request; an SMTP server (aiosmtpd) receives the e-mails. Then the kiosk recovers and
both receive the "resolved" notice. No secret or password appears in any log line."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from alerts_support import Recorder, beat, evaluate

from central.fleet.notify import Email, NotifyError, Webhook, verify

SECRET = b"webhook-shared-secret-7f3a"
PASSWORD = "smtp-password-91c2"


class Receiver:
    """An HTTP endpoint that accepts only correctly signed, fresh requests (computed here with
    hmac directly, not with central's code)."""

    def __init__(self) -> None:
        self.accepted: list[dict] = []
        self.refused: list[str] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers.get("X-Omnikiosk-Timestamp", "")
                given = self.headers.get("X-Omnikiosk-Signature", "")
                receiver.raw.append((dict(self.headers), body))
                mac = hmac.new(SECRET, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300
                if fresh and hmac.compare_digest("sha256=" + mac, given):
                    receiver.accepted.append(json.loads(body))
                    self.send_response(204)
                else:
                    receiver.refused.append(given)
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kiosks?token=abc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    with socket.socket() as probe:  # aiosmtpd needs a port number (it connects to itself)
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def test_webhook_and_email_receive_the_alert_then_its_resolution(
    engine, make_device, office, clock, receiver, mailbox, caplog
):
    device_id, token = make_device(office, "Hall kiosk")
    hook = Webhook(receiver.url, SECRET)
    mail = Email("127.0.0.1", mailbox.port, "alerts@council.example", ["it@council.example"])
    beat(engine, token, clock(), depth=30)
    evaluate(engine, clock(), [hook, mail])
    mine = [a for a in receiver.accepted if a["office"] == office]
    assert [(a["event"], a["rule"], a["device_id"], a["kiosk"]) for a in mine] == [
        ("opened", "outbox_backlog", device_id, "Hall kiosk")
    ]
    assert mine[0]["detail"] == "30 cases wait in the outbox" and receiver.refused == []
    mails = [m for _, m in mailbox.messages if office in m["Subject"]]
    assert [m["Subject"] for m in mails] == [f"[kiosk alert] Outbox backlog: Hall kiosk ({office})"]
    assert "30 cases wait in the outbox" in mails[0].get_payload()

    clock.advance(seconds=30)
    beat(engine, token, clock())
    evaluate(engine, clock(), [hook, mail])
    assert [a["event"] for a in receiver.accepted if a["office"] == office] == [
        "opened",
        "resolved",
    ]
    resolved = [m for _, m in mailbox.messages if office in m["Subject"]][-1]
    assert resolved["Subject"].startswith("[kiosk resolved] Outbox backlog")
    assert "Resolved at: " in resolved.get_payload()


def test_a_forged_or_replayed_request_is_refused_by_the_receiver(receiver):
    headers, body = None, None
    hook = Webhook(receiver.url, b"not-the-shared-secret")
    from datetime import UTC, datetime

    from central.fleet.notify import Notice

    notice = Notice("opened", 1, "dev", "k", "OFF", "silent", "d", datetime.now(UTC))
    with pytest.raises(NotifyError) as err:
        hook.send(notice)
    assert "HTTP 401" in str(err.value) and "token=abc" not in str(err.value)
    Webhook(receiver.url, SECRET).send(notice)
    headers, body = receiver.raw[-1]
    # Replaying the genuine request ten minutes later: the receiver's clock check refuses it.
    assert verify(SECRET, headers["X-Omnikiosk-Timestamp"], body,
                  headers["X-Omnikiosk-Signature"], time.time())  # fmt: skip
    assert not verify(SECRET, headers["X-Omnikiosk-Timestamp"], body,
                      headers["X-Omnikiosk-Signature"], time.time() + 600)  # fmt: skip
    assert not verify(SECRET, headers["X-Omnikiosk-Timestamp"], body + b" ",
                      headers["X-Omnikiosk-Signature"], time.time())  # fmt: skip


def test_failed_delivery_logs_no_secret_and_is_retried(
    engine, make_device, office, clock, receiver, mailbox, caplog
):
    _, token = make_device(office)
    caplog.set_level(logging.DEBUG)
    wrong = Webhook(receiver.url, b"wrong-" + SECRET)
    locked = Email("127.0.0.1", 9, "a@b.example", ["c@d.example"], username="u", password=PASSWORD)
    beat(engine, token, clock(), depth=30)
    result = evaluate(engine, clock(), [wrong, locked])
    assert result.failed >= 1
    text = caplog.text + " ".join(result.errors)
    assert SECRET.decode() not in text and PASSWORD not in text and "token=abc" not in text
    recorder = Recorder()
    evaluate(engine, clock(), [recorder])
    assert recorder.of(office) == [("opened", "outbox_backlog")]
