"""A minimal IPP/1.1–2.0 message codec (RFC 8010), enough for a kiosk's print jobs.

A message: version (2 bytes), operation-id or status-code (2), request-id (4), attribute groups
(a delimiter tag then attributes), end-of-attributes tag 0x03, then the document data. An attribute is
value-tag, name-length, name, value-length, value; further values of the same attribute repeat with
an empty name. Collections (0x34 … 0x37) are skipped when decoding: we never need them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Attribute", "IppError", "Message", "Tag", "decode", "encode"]


class IppError(ValueError):
    """The bytes are not a well-formed IPP message."""


class Tag:
    OPERATION, JOB, END, PRINTER, UNSUPPORTED_GROUP = 0x01, 0x02, 0x03, 0x04, 0x05
    UNSUPPORTED, UNKNOWN, NO_VALUE = 0x10, 0x12, 0x13
    INTEGER, BOOLEAN, ENUM = 0x21, 0x22, 0x23
    OCTET, DATETIME, RESOLUTION, RANGE = 0x30, 0x31, 0x32, 0x33
    BEGIN_COLLECTION, TEXT_LANG, NAME_LANG, END_COLLECTION = 0x34, 0x35, 0x36, 0x37
    TEXT, NAME, KEYWORD, URI, URI_SCHEME, CHARSET, LANGUAGE, MIME = (
        0x41,
        0x42,
        0x44,
        0x45,
        0x46,
        0x47,
        0x48,
        0x49,
    )
    MEMBER_NAME = 0x4A


_INT_TAGS = {Tag.INTEGER, Tag.ENUM}
_STR_TAGS = {
    Tag.TEXT,
    Tag.NAME,
    Tag.KEYWORD,
    Tag.URI,
    Tag.URI_SCHEME,
    Tag.CHARSET,
    Tag.LANGUAGE,
    Tag.MIME,
}


@dataclass(frozen=True)
class Attribute:
    group: int
    tag: int
    name: str
    values: tuple[Any, ...]


@dataclass
class Message:
    """A request (code = operation-id) or a response (code = status-code)."""

    code: int
    request_id: int = 1
    version: tuple[int, int] = (2, 0)
    attributes: list[Attribute] = field(default_factory=list)
    data: bytes = b""

    def add(self, group: int, tag: int, name: str, *values: Any) -> Message:
        self.attributes.append(Attribute(group, tag, name, values))
        return self

    def get(self, name: str, group: int | None = None) -> tuple[Any, ...]:
        """Every value of the first attribute called `name` (in `group` if given); () if absent."""
        for attr in self.attributes:
            if attr.name == name and (group is None or attr.group == group):
                return attr.values
        return ()

    def first(self, name: str, default: Any = None) -> Any:
        values = self.get(name)
        return values[0] if values else default


def _encode_value(tag: int, value: Any) -> bytes:
    if tag in _INT_TAGS:
        return struct.pack(">i", int(value))
    if tag == Tag.BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag in (Tag.NO_VALUE, Tag.UNKNOWN, Tag.UNSUPPORTED):
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def encode(message: Message) -> bytes:
    out = bytearray(struct.pack(">bbhi", *message.version, message.code, message.request_id))
    group = None
    for attr in message.attributes:
        if attr.group != group:
            out.append(attr.group)
            group = attr.group
        name = attr.name.encode("utf-8")
        for i, value in enumerate(attr.values or (None,)):
            raw = _encode_value(attr.tag, value)
            key = name if i == 0 else b""
            out += struct.pack(">bh", attr.tag, len(key)) + key + struct.pack(">h", len(raw)) + raw
    out.append(Tag.END)
    return bytes(out) + message.data


def _decode_value(tag: int, raw: bytes) -> Any:
    if tag in _INT_TAGS and len(raw) == 4:
        return struct.unpack(">i", raw)[0]
    if tag == Tag.BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if tag == Tag.RANGE and len(raw) == 8:
        return struct.unpack(">ii", raw)
    if tag == Tag.RESOLUTION and len(raw) == 9:
        return struct.unpack(">iib", raw)
    if tag in _STR_TAGS:
        return raw.decode("utf-8", "replace")
    if tag in (Tag.TEXT_LANG, Tag.NAME_LANG) and len(raw) >= 2:
        n = struct.unpack(">h", raw[:2])[0]
        rest = raw[2 + n :]
        return rest[2:].decode("utf-8", "replace") if len(rest) >= 2 else ""
    if tag in (Tag.NO_VALUE, Tag.UNKNOWN, Tag.UNSUPPORTED):
        return None
    return raw


def decode(data: bytes) -> Message:
    """Parse a whole message; raises IppError for anything malformed."""
    if len(data) < 9:
        raise IppError("message too short")
    major, minor, code, request_id = struct.unpack(">bbhi", data[:8])
    msg = Message(code, request_id, (major, minor))
    pos, group, depth = 8, 0, 0
    current: list[Any] | None = None
    name = ""
    tag = 0

    def flush() -> None:
        if current is not None:
            msg.attributes.append(Attribute(group, tag, name, tuple(current)))

    while True:
        if pos >= len(data):
            raise IppError("no end-of-attributes tag")
        byte = data[pos]
        if byte <= 0x0F and depth == 0:  # a delimiter
            pos += 1
            if byte == Tag.END:
                flush()
                msg.data = data[pos:]
                return msg
            flush()
            current, group = None, byte
            continue
        if pos + 3 > len(data):
            raise IppError("truncated attribute")
        value_tag = byte
        name_len = struct.unpack(">h", data[pos + 1 : pos + 3])[0]
        pos += 3
        if name_len < 0 or pos + name_len + 2 > len(data):
            raise IppError("truncated attribute name")
        attr_name = data[pos : pos + name_len].decode("utf-8", "replace")
        pos += name_len
        value_len = struct.unpack(">h", data[pos : pos + 2])[0]
        pos += 2
        if value_len < 0 or pos + value_len > len(data):
            raise IppError("truncated attribute value")
        raw = data[pos : pos + value_len]
        pos += value_len
        if value_tag == Tag.BEGIN_COLLECTION:
            if depth == 0:  # the collection attribute itself: keep its name, no values
                flush()
                current, name, tag = [], attr_name, value_tag
            depth += 1
            continue
        if value_tag == Tag.END_COLLECTION:
            depth = max(0, depth - 1)
            continue
        if depth > 0:
            continue
        if attr_name:
            flush()
            current, name, tag = [], attr_name, value_tag
        if current is None:
            raise IppError("additional value without an attribute")
        current.append(_decode_value(value_tag, raw))


def operation_attributes(
    uri: str, user: str, extra: Iterable[tuple[int, str, Any]] = ()
) -> list[Attribute]:
    """The attributes every request starts with (charset, language, target, user)."""
    base = [
        Attribute(Tag.OPERATION, Tag.CHARSET, "attributes-charset", ("utf-8",)),
        Attribute(Tag.OPERATION, Tag.LANGUAGE, "attributes-natural-language", ("en",)),
        Attribute(Tag.OPERATION, Tag.URI, "printer-uri", (uri,)),
        Attribute(Tag.OPERATION, Tag.NAME, "requesting-user-name", (user,)),
    ]
    base += [Attribute(Tag.OPERATION, t, n, (v,)) for t, n, v in extra]
    return base
