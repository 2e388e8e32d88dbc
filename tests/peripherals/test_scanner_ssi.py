"""Pure parts of the scanner: SSI packets and checksums, the CR/LF line splitter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peripherals.scanner import ssi
from peripherals.scanner.lines import LineSplitter


def test_encode_beep_matches_the_manual_bytes() -> None:
    # BEEP from host, beep code 0: 05 E6 04 00 00; sum = 0xEF → checksum 0xFF11
    assert ssi.encode(ssi.BEEP, b"\x00") == bytes.fromhex("05 E6 04 00 00 FF 11")
    assert ssi.encode(ssi.SCAN_ENABLE) == bytes.fromhex("04 E9 04 00 FF 0F")
    assert ssi.encode(ssi.SCAN_DISABLE) == bytes.fromhex("04 EA 04 00 FF 0E")


def test_checksum_makes_the_sum_zero() -> None:
    raw = ssi.encode(ssi.DECODE_DATA, b"\x1chello", ssi.SOURCE_DECODER)
    assert (sum(raw[:-2]) + int.from_bytes(raw[-2:], "big")) & 0xFFFF == 0


def test_decoder_handles_splits_noise_and_bad_checksums() -> None:
    good = ssi.encode(ssi.DECODE_DATA, b"\x1cABC", ssi.SOURCE_DECODER)
    bad = good[:-1] + bytes([good[-1] ^ 1])
    d = ssi.PacketDecoder()
    assert d.feed(b"\x00\x01" + good[:3], 0.0) == []
    [p] = d.feed(good[3:], 0.1)
    assert (p.opcode, p.data, p.valid) == (ssi.DECODE_DATA, b"\x1cABC", True)
    [q] = d.feed(bad, 0.2)
    assert not q.valid
    assert d.dropped == 2


def test_a_stale_partial_packet_is_dropped_after_the_deadline() -> None:
    d = ssi.PacketDecoder(deadline=0.5)
    assert d.feed(b"\xf0\xd0", 0.0) == []  # looks like a 240-byte packet
    [p] = d.feed(ssi.encode(ssi.ACK, source=0), 1.0)
    assert p.opcode == ssi.ACK


def test_line_splitter_cr_crlf_and_errors() -> None:
    s = LineSplitter(max_len=10)
    out = s.feed(b"ABC\r\nDEF\rGH")
    assert [x.text for x in out] == ["ABC", "DEF"]
    assert [x.text for x in s.feed(b"I\n")] == ["GHI"]
    assert s.feed(b"\xff\xfe\r")[0].error == "unreadable characters in the code"
    assert s.feed(b"a\x1bb\r")[0].error == "control characters in the code"
    assert s.feed(b"x" * 30 + b"\r")[0].error == "code too long"
    assert [x.text for x in s.feed("é€\r".encode())] == ["é€"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=12))
def test_decoders_never_raise_on_garbage(chunks: list[bytes]) -> None:
    d, s = ssi.PacketDecoder(), LineSplitter(max_len=64)
    for i, chunk in enumerate(chunks):
        for p in d.feed(chunk, float(i)):
            assert 0 <= p.opcode <= 255
        s.feed(chunk)
        assert s.pending <= 64 and d.pending <= 300
