"""The IPP codec and the printer-state-reasons mapping (no network)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peripherals.conditions import ActionHint, Condition
from peripherals.cups.ipp import IppError, Message, Tag, decode, encode, operation_attributes
from peripherals.cups.reasons import faults_from_reasons


def test_encode_print_job_header_and_attributes_bytes() -> None:
    msg = Message(0x0002, 7)
    msg.attributes.extend(operation_attributes("ipp://h/printers/q", "kiosk"))
    msg.data = b"%PDF-1.4"
    raw = encode(msg)
    assert raw[:8] == bytes.fromhex("0200 0002 00000007")
    assert raw[8] == Tag.OPERATION
    # first attribute: charset tag, name length 18, name, value length 5, value
    assert raw[9 : 9 + 3 + 18 + 2 + 5] == b"\x47\x00\x12attributes-charset\x00\x05utf-8"
    assert raw.endswith(b"\x03%PDF-1.4")


def test_round_trip_with_multi_values_ints_and_booleans() -> None:
    msg = Message(0x0000, 3)
    msg.add(Tag.OPERATION, Tag.CHARSET, "attributes-charset", "utf-8")
    msg.add(Tag.PRINTER, Tag.ENUM, "printer-state", 5)
    msg.add(
        Tag.PRINTER, Tag.KEYWORD, "printer-state-reasons", "media-empty-error", "cover-open-error"
    )
    msg.add(Tag.PRINTER, Tag.BOOLEAN, "printer-is-accepting-jobs", False)
    back = decode(encode(msg))
    assert back.code == 0 and back.request_id == 3
    assert back.get("printer-state-reasons") == ("media-empty-error", "cover-open-error")
    assert back.first("printer-state") == 5
    assert back.first("printer-is-accepting-jobs") is False


def test_collections_are_skipped() -> None:
    raw = bytearray(bytes.fromhex("0200 0000 00000001") + bytes([Tag.PRINTER]))

    def attr(tag: int, name: bytes, value: bytes) -> bytes:
        return (
            bytes([tag])
            + len(name).to_bytes(2, "big")
            + name
            + len(value).to_bytes(2, "big")
            + value
        )

    raw += attr(Tag.BEGIN_COLLECTION, b"media-col", b"")
    raw += attr(Tag.MEMBER_NAME, b"", b"media-size")
    raw += attr(Tag.BEGIN_COLLECTION, b"", b"")
    raw += attr(Tag.MEMBER_NAME, b"", b"x-dimension")
    raw += attr(Tag.INTEGER, b"", (21000).to_bytes(4, "big"))
    raw += attr(Tag.END_COLLECTION, b"", b"")
    raw += attr(Tag.END_COLLECTION, b"", b"")
    raw += attr(Tag.ENUM, b"printer-state", (3).to_bytes(4, "big"))
    raw.append(Tag.END)
    msg = decode(bytes(raw))
    assert msg.first("printer-state") == 3
    assert msg.get("media-col") == ()


@pytest.mark.parametrize(
    "bad", [b"", b"\x02\x00\x00\x00", b"\x02\x00\x00\x00\x00\x00\x00\x01\x01\x41\x00"]
)
def test_malformed_messages_raise_ipp_error(bad: bytes) -> None:
    with pytest.raises(IppError):
        decode(bad)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decode_raises_only_ipp_error(data: bytes) -> None:
    with contextlib.suppress(IppError):
        decode(data)


@pytest.mark.parametrize(
    ("reason", "code", "condition", "hint", "blocking"),
    [
        ("media-empty-error", "paper_out", Condition.USER_ERROR, ActionHint.CLEAR, True),
        ("media-needed", "paper_out", Condition.USER_ERROR, ActionHint.CLEAR, True),
        ("media-jam-error", "paper_jam", Condition.USER_ERROR, ActionHint.CLEAR, True),
        ("cover-open-error", "cover_open", Condition.USER_ERROR, ActionHint.CLEAR, True),
        ("toner-empty-error", "toner_out", Condition.USER_ERROR, ActionHint.CLEAR, True),
        ("toner-low-warning", "toner_low", Condition.USER_ERROR, ActionHint.CLEAR, False),
        ("offline-report", "offline", Condition.OFFLINE, ActionHint.RESET, True),
        ("paused", "queue_paused", Condition.OFFLINE, ActionHint.MAINTENANCE, True),
        (
            "fuser-over-temp-error",
            "fuser_over_temp",
            Condition.HARDWARE_ERROR,
            ActionHint.MAINTENANCE,
            True,
        ),
    ],
)
def test_reasons_map_to_faults(reason, code, condition, hint, blocking) -> None:
    [fault] = faults_from_reasons([reason])
    assert (fault.code, fault.condition, fault.hint, fault.blocking) == (
        code,
        condition,
        hint,
        blocking,
    )
    assert fault.message.endswith(".")


def test_none_and_reports_are_no_faults_but_stopped_queue_is() -> None:
    assert faults_from_reasons(["none"]) == []
    assert faults_from_reasons(["cups-waiting-for-job-completed", "media-low-report"]) == []
    assert [f.code for f in faults_from_reasons(["none"], state=5)] == ["queue_stopped"]
    assert [f.code for f in faults_from_reasons([], accepting=False)] == ["not_accepting"]
    assert "out of paper" in faults_from_reasons(["media-empty-error"])[0].message


def test_client_translates_http_and_network_errors() -> None:
    import http.server
    import threading

    from peripherals.cups.client import IppClient
    from peripherals.errors import ConfigurationError, DeviceUnavailable, ProtocolError

    class NotIpp(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotIpp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = IppClient(f"ipp://127.0.0.1:{server.server_port}/printers/q", timeout=2)
        with pytest.raises(ProtocolError, match="malformed"):
            client.printer()
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(DeviceUnavailable, match="cannot be reached"):
        IppClient(f"ipp://127.0.0.1:{server.server_port}/printers/q", timeout=2).printer()
    with pytest.raises(ConfigurationError, match="ipp://"):
        IppClient("lpd://printer")
