"""An ESC/POS receipt printer on a pseudo-terminal: it prints, answers status and breaks on request.

The parser is a generator fed one byte at a time, so a command split across reads is handled like
any other. Real-time commands (DLE EOT n, DLE ENQ n) are answered the moment they are read, even
between the parameter bytes of another command. Inside counted data (raster dots, QR data) bytes are
taken literally, as Citizen models do ("ignored during block data"); Epson manuals warn that their
printers may act on 10 04 n even there. Our driver never splits a job with a request (writes are
whole under the transport's lock), so either behaviour prints the same.

User-defined characters (ESC & glyphs, ESC % 1/0; ESC @ forgets them) print as the Welsh letter a
glyph shows when it is one of ours (peripherals.escpos.udc), else as □.

While a blocking fault is on (paper_out, cover_open, cutter_error, offline) the printer prints
nothing: received bytes wait in a hold buffer, real-time requests in them are still answered, and the
held job resumes when the fault is switched off (DLE ENQ 2 or DLE DC4 fn 8 throw it away instead;
DLE DC4 fn 8 answers 37 25 00). Opening the cover while a receipt is under way also sets the
auto-recoverable bit (DLE EOT 3 bit 6, ASB byte 2 bit 6), as Epson printers do.

Status bytes follow REFERENCE.md. Faults: paper_near_end, paper_out, cover_open, cutter_error,
offline, clone_no_status (never answers DLE EOT, sends no ASB and no completion), asb_lost (the
automatic status blocks are lost on the line: every other reply still comes, so a driver that
polls DLE EOT still finds out), plus the common unplug/garbled/slow of PtyHost. Model switches (also
faults, so `--fault` and the control socket set them): no_process_id (a clone / TM-T88III without
GS ( H: the command is skipped, everything else answers), asb_reset_by_init (ESC @ switches GS a off,
as on Bixolon SRP-E300/302), xoff_in_replies (an XOFF 13 inside every ASB block, completion and
clear response, as a serial printer with XON/XOFF may send).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from peripherals.emulators.control import ControllableEmulator
from peripherals.emulators.receipt_render import (
    Feed,
    PrintedReceipt,
    QrElement,
    RasterElement,
    TextLine,
)
from peripherals.escpos import udc
from peripherals.escpos.profiles import Profile, get_profile

__all__ = ["ReceiptPrinterEmulator"]

log = logging.getLogger(__name__)

#: a downloaded glyph we recognise → the character it shows (the receipt text says what printed)
_UDC_CHARS = {udc.glyph_columns(rows): ch for ch, rows in udc.GLYPHS.items()}
BLOCKING = frozenset({"paper_out", "cover_open", "cutter_error", "offline"})
ECC = {0x30: "L", 0x31: "M", 0x32: "Q", 0x33: "H"}
Parser = Generator[None, int, None]


@dataclass
class _Style:
    bold: bool = False
    align: int = 0
    width: int = 1
    height: int = 1
    underline: int = 0


@dataclass
class _Qr:
    size: int = 3
    ecc: str = "M"
    data: bytes = b""


class ReceiptPrinterEmulator(ControllableEmulator):
    device_faults: ClassVar[frozenset[str]] = frozenset(
        {
            "paper_near_end",
            "paper_out",
            "cover_open",
            "cutter_error",
            "clone_no_status",
            "asb_lost",
            "no_process_id",
            "asb_reset_by_init",
            "xoff_in_replies",
        }
    )
    #: switches that change how the printer talks, not its state: no automatic status on change
    model_switches: ClassVar[frozenset[str]] = frozenset(
        {"asb_lost", "no_process_id", "asb_reset_by_init", "xoff_in_replies"}
    )

    def __init__(
        self, profile: Profile | str = "kiosk-emulator", output_dir: Path | str | None = None
    ) -> None:
        super().__init__()
        #: when set, every cut receipt is also saved there as receipt-NNN.txt and .png
        self.output_dir = Path(output_dir) if output_dir else None
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self._tables = {n: codec for codec, n in self.profile.code_pages.items()}
        self._lock = threading.RLock()
        self.receipts: list[PrintedReceipt] = []  # finished (cut) receipts
        self.torn: list[PrintedReceipt] = []  # printed in part, then its rest cleared (not cut)
        self.received = bytearray()  # every byte the driver sent (for tests)
        self.status_requests = 0
        self.completions: list[bytes] = []
        self.buffer_clears = 0
        self._held = bytearray()
        self._reset_session()

    # ------------------------------------------------------------------ state
    def _reset_session(self) -> None:
        self.current = PrintedReceipt(self.profile.width_chars, self.profile.width_dots)
        self._line: list[str] = []
        self._style = _Style()
        self._codec = self.profile.default_code_page[0]
        self._asb_mask = 0
        self._udc: dict[int, bytes] = {}  # ESC & glyphs by code
        self._udc_on = False  # ESC % 1
        self._qr = _Qr()
        self._pushback: list[int] = []
        self._parser: Parser = self._machine()
        next(self._parser)

    def on_plug(self) -> None:
        with self._lock:
            self._held.clear()
            self._reset_session()

    @property
    def blocked(self) -> bool:
        return bool(self.faults & BLOCKING)

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n for the current faults (bits as in REFERENCE.md)."""
        f = self.faults
        b = 0x12
        if n == 1 and self.blocked:
            b |= 0x08
        elif n == 2:
            b |= (0x04 if "cover_open" in f else 0) | (0x20 if "paper_out" in f else 0)
            b |= 0x40 if "cutter_error" in f else 0
        elif n == 3:
            b |= 0x08 if "cutter_error" in f else 0
            b |= 0x40 if self._cover_opened_mid_job else 0
        elif n == 4:
            b |= 0x0C if f & {"paper_near_end", "paper_out"} else 0
            b |= 0x60 if "paper_out" in f else 0
        return b

    def asb_block(self) -> bytes:
        f = self.faults
        b1 = 0x10 | (0x08 if self.blocked else 0) | (0x20 if "cover_open" in f else 0)
        b2 = (0x08 if "cutter_error" in f else 0) | (0x40 if self._cover_opened_mid_job else 0)
        b3 = (0x03 if f & {"paper_near_end", "paper_out"} else 0) | (
            0x0C if "paper_out" in f else 0
        )
        return bytes([b1, b2, b3, 0x00])

    @property
    def _cover_opened_mid_job(self) -> bool:
        """Cover open while a receipt is under way (printed in part, not cut, or held)."""
        busy = self._held or self._line or self.current.elements
        return "cover_open" in self.faults and bool(busy)

    def _reply(self, frame: bytes) -> None:
        """A multi-byte reply, with an XOFF after its first byte when xoff_in_replies is on."""
        if "xoff_in_replies" in self.faults:
            frame = frame[:1] + b"\x13" + frame[1:]
        self.send(frame)

    # ------------------------------------------------------------------ input
    def on_bytes(self, data: bytes) -> None:
        with self._lock:
            self.received += data
            if self.blocked:
                self._hold(data)
                return
            for b in data:
                self._parser.send(b)

    def _hold(self, data: bytes) -> None:
        """Keep a job for later but answer real-time requests in it now."""
        self._held += data
        i = 0
        while (i := self._held.find(b"\x10", i)) != -1 and i + 2 < len(self._held):
            kind = self._held[i + 1]
            if kind in (0x04, 0x05):
                n = self._held[i + 2]
                del self._held[i : i + 3]
                self._realtime(kind, n)
            elif kind == 0x14 and self._held[i + 2] == 0x08:
                if i + 10 > len(self._held):
                    break  # the rest of DLE DC4 fn 8 is still on the way
                del self._held[i : i + 10]
                self._clear_buffers()
                i = 0
            else:
                i += 1

    def _send_asb(self) -> None:
        """Automatic status back, when enabled (GS a) and not switched off by a fault."""
        if self._asb_mask and not self.faults & {"clone_no_status", "asb_lost"}:
            self._reply(self.asb_block())

    def on_fault_changed(self, name: str, on: bool) -> None:
        if name in self.model_switches:
            return  # how the printer talks, not a printer state change: nothing to report
        with self._lock:
            self._send_asb()
            if not self.blocked and self._held:
                held, self._held = bytes(self._held), bytearray()
                for b in held:
                    self._parser.send(b)

    # ------------------------------------------------------------------ parser
    def _realtime(self, kind: int, n: int) -> None:
        if kind == 0x04:
            self.status_requests += 1
            if "clone_no_status" not in self.faults and 1 <= n <= 4:
                self.send(bytes([self.status_byte(n)]))
        elif kind == 0x05 and n == 2:
            self._held.clear()

    def _clear_buffers(self) -> None:
        """DLE DC4 fn 8: receive and print buffers emptied, standard mode, reply 37 25 00."""
        self.buffer_clears += 1
        self._held.clear()
        self._line = []
        if self.current.elements:  # what came out of the job so far is on the paper: tear it off
            self.torn.append(self.current)
            self.current = PrintedReceipt(self.profile.width_chars, self.profile.width_dots)
        if "clone_no_status" not in self.faults:
            self._reply(b"\x37\x25\x00")

    def _byte(self) -> Generator[None, int, int]:
        """Next command byte, answering real-time commands found on the way.

        A DLE not followed by EOT/ENQ/DC4 is an ordinary byte (e.g. GS ! 0x10): it is returned and
        the byte after it is pushed back for the next read.
        """
        if self._pushback:
            return self._pushback.pop()
        b = yield
        while b == 0x10:
            kind = yield
            if kind in (0x04, 0x05):
                self._realtime(kind, (yield))
            elif kind == 0x14:
                fn = yield
                if fn == 0x08:  # DLE DC4 fn 8 d1…d7: clear buffers
                    for _ in range(7):
                        yield
                    self._clear_buffers()
                else:  # DLE DC4 fn m t: pulse / power-off — consume, do nothing
                    for _ in range(2):
                        yield
            else:
                self._pushback.append(kind)
                return 0x10
            b = yield
        return b

    def _raw(self, count: int) -> Generator[None, int, bytes]:
        out = bytearray()
        if count and self._pushback:
            out.append(self._pushback.pop())
        while len(out) < count:
            out.append((yield))
        return bytes(out)

    def _machine(self) -> Parser:
        while True:
            b = yield from self._byte()
            if b == 0x0A:
                self._commit_line()
            elif b == 0x0D or b < 0x20 and b not in (0x1B, 0x1D):
                continue
            elif b == 0x1B:
                yield from self._esc()
            elif b == 0x1D:
                yield from self._gs()
            elif self._udc_on and b in self._udc:
                self._line.append(
                    _UDC_CHARS.get(self._udc[b], "\u25a1")
                )  # □: a glyph we don't know
            else:
                self._line.append(bytes([b]).decode(self._codec, errors="replace"))

    def _esc(self) -> Parser:
        c = yield from self._byte()
        if c == 0x40:  # ESC @
            self._commit_partial()
            self._style = _Style()
            self._codec = self.profile.default_code_page[0]
            self._udc, self._udc_on = {}, False
            if "asb_reset_by_init" in self.faults:
                self._asb_mask = 0
        elif c == 0x45:
            self._style.bold = bool((yield from self._byte()) & 1)
        elif c == 0x2D:
            self._style.underline = (yield from self._byte()) & 3
        elif c == 0x61:
            self._style.align = ((yield from self._byte()) & 0x0F) % 3
        elif c == 0x26:  # ESC & y c1 c2 [x d1…d(y·x)]…: user-defined glyphs
            y, c1, c2 = (
                (yield from self._byte()),
                (yield from self._byte()),
                (yield from self._byte()),
            )
            for code in range(c1, c2 + 1):
                x = yield from self._byte()
                glyph = yield from self._raw(x * y)
                if 32 <= code <= 126:
                    self._udc[code] = glyph
        elif c == 0x25:  # ESC % n: user-defined character set on (bit 0) / off
            self._udc_on = bool((yield from self._byte()) & 1)
        elif c == 0x74:
            n = yield from self._byte()
            self._codec = self._tables.get(n, self._codec)
        elif c == 0x64:
            n = yield from self._byte()
            self._commit_partial()
            if n:
                self.current.elements.append(Feed(n))
        elif c == 0x21:  # ESC ! n: print mode (bold, double height/width, underline)
            n = yield from self._byte()
            st = self._style
            st.bold, st.underline = bool(n & 0x08), (1 if n & 0x80 else 0)
            st.height, st.width = (2 if n & 0x10 else 1), (2 if n & 0x20 else 1)
        elif c in (0x4A, 0x4D, 0x52, 0x20, 0x33, 0x47):  # one-parameter modes we ignore
            yield from self._byte()

    def _gs(self) -> Parser:
        c = yield from self._byte()
        if c == 0x21:
            n = yield from self._byte()
            self._style.width, self._style.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif c == 0x56:
            m = yield from self._byte()
            if m in (0x41, 0x42):
                yield from self._byte()
            self._cut("partial" if m in (0x01, 0x31, 0x42) else "full")
        elif c == 0x61:
            self._asb_mask = yield from self._byte()
            self._send_asb()
        elif c == 0x28:
            fn = yield from self._byte()
            lo, hi = (yield from self._byte()), (yield from self._byte())
            payload = yield from self._raw(lo | hi << 8)
            if fn == 0x6B:
                self._qr_command(payload)
            elif fn == 0x48 and payload[:2] == b"00" and len(payload) == 6:
                self._complete(payload[2:6])
        elif c == 0x76:
            if (yield from self._byte()) != 0x30:
                return
            yield from self._byte()  # m (scale) — printed 1:1
            xl, xh, yl, yh = yield from self._raw(4)
            wb, h = xl | xh << 8, yl | yh << 8
            bitmap = yield from self._raw(wb * h)
            self._commit_partial()
            self.current.elements.append(RasterElement(wb, h, bitmap, self._style.align))
        elif c in (0x48, 0x66, 0x68, 0x77, 0x42):  # barcode HRI/font/height/width, reverse
            yield from self._byte()

    def _qr_command(self, payload: bytes) -> None:
        if len(payload) < 3 or payload[0] != 0x31:
            return
        fn = payload[1]
        q = self._qr
        if fn == 0x43:
            q.size = payload[2]
        elif fn == 0x45:
            q.ecc = ECC.get(payload[2], "M")
        elif fn == 0x50:
            q.data = payload[3:]
        elif fn == 0x51 and q.data:
            self._commit_partial()
            self.current.elements.append(QrElement(q.data, q.size, q.ecc, self._style.align))

    # ------------------------------------------------------------------ paper
    def _commit_line(self) -> None:
        s = self._style
        self.current.elements.append(
            TextLine("".join(self._line), s.bold, s.align, s.width, s.height, s.underline)
        )
        self._line = []

    def _commit_partial(self) -> None:
        if self._line:
            self._commit_line()

    def _cut(self, kind: str) -> None:
        self._commit_partial()
        self.current.cut = kind
        receipt, self.current = (
            self.current,
            PrintedReceipt(self.profile.width_chars, self.profile.width_dots),
        )
        self.receipts.append(receipt)
        self.show(receipt.text())
        if self.output_dir is not None:
            self._save(receipt, len(self.receipts))

    def _save(self, receipt: PrintedReceipt, number: int) -> None:
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            stem = self.output_dir / f"receipt-{number:03d}"  # type: ignore[operator]
            stem.with_suffix(".txt").write_text(receipt.text() + "\n", encoding="utf-8")
            receipt.save_png(stem.with_suffix(".png"))
        except OSError as exc:
            log.warning("could not save receipt %d: %s", number, exc)

    def _complete(self, job_id: bytes) -> None:
        if "no_process_id" in self.faults:
            return  # a clone without GS ( H skips the command by its length: no reply, no record
        self.completions.append(job_id)
        if "clone_no_status" not in self.faults:
            self._reply(b"\x37\x22" + job_id + b"\x00")
