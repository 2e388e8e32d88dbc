"""Receipt → ESC/POS bytes for one printer profile. Pure: no port, so tests and the benchmark
compare exact bytes.

Why it is frugal: at 9600 baud every byte costs about a millisecond, so styles are only sent when
they change, QR codes go out as the native command (≈ data + 40 bytes, not a picture), and the code
page is only selected when a line needs a different one.
"""

from __future__ import annotations

from typing import Any

from peripherals.escpos import commands as cmd
from peripherals.escpos import udc
from peripherals.escpos.profiles import Profile, fold_punctuation
from peripherals.escpos.receipt import Feed, Image, Line, Qr, Receipt

__all__ = ["encode_text_line", "image_to_raster", "render_receipt"]

ALIGN = {"left": cmd.Align.LEFT, "center": cmd.Align.CENTER, "right": cmd.Align.RIGHT}


class _State:
    """What the printer currently has selected, so only changes are sent."""

    def __init__(self) -> None:
        self.bold = False
        self.align = cmd.Align.LEFT
        self.size = (1, 1)
        self.underline = False
        self.table: int | None = None
        self.udc = False  # the Welsh user-defined characters are downloaded


def encode_text_line(line: str, profile: Profile) -> tuple[int, bytes] | None:
    """(ESC t table, bytes) for a line of text, or None when it must be printed as a picture."""
    native = profile.encode_native(line) or profile.encode_native(fold_punctuation(line))
    if native is not None:
        _, table, data = native
        return table, data
    if profile.welsh_fallback == "raster":
        return None
    codec, table = profile.default_code_page
    return table, profile.transliterate(line, codec)


def image_to_raster(image: Any, max_width: int) -> tuple[bytes, int, int]:
    """A Pillow image → (bitmap, width_bytes, height): 1-bit, 1 = black, at most max_width dots."""
    from PIL import Image as PILImage

    img = image.convert("L")
    if img.width > max_width:
        img = img.resize((max_width, max(1, img.height * max_width // img.width)))
    width_bytes = (img.width + 7) // 8
    canvas = PILImage.new("L", (width_bytes * 8, img.height), 255)
    canvas.paste(img, (0, 0))
    mono = canvas.point(lambda v: 0 if v >= 128 else 255, mode="1")  # 1-bit, black → bit 1
    return mono.tobytes(), width_bytes, img.height


def _text_as_image(line: Line, profile: Profile) -> Any:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    cell = profile.width_dots // profile.width_chars
    size = int(cell / 0.6) * line.height
    try:
        name = "DejaVuSansMono-Bold.ttf" if line.bold else "DejaVuSansMono.ttf"
        font: Any = ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}", size)
    except OSError:
        font = ImageFont.load_default()
    probe = ImageDraw.Draw(PILImage.new("L", (1, 1)))
    w = int(probe.textlength(line.text, font=font)) + 1
    img = PILImage.new("L", (min(w, profile.width_dots), int(cell * 2 * line.height)), 255)
    ImageDraw.Draw(img).text((0, 0), line.text, font=font, fill=0)
    return img


def render_receipt(receipt: Receipt, profile: Profile, *, init: bool = True) -> bytes:
    """All bytes of the receipt (without the completion request, which the driver adds)."""
    out = bytearray(cmd.init() if init else b"")
    st = _State()

    def set_align(a: cmd.Align) -> None:
        if st.align != a:
            out.extend(cmd.align(a))
            st.align = a

    for item in receipt.items:
        if isinstance(item, Line):
            set_align(ALIGN[item.align])
            text = item.text
            native = profile.encode_native(text) or profile.encode_native(fold_punctuation(text))
            if native is None and profile.welsh_fallback == "raster":
                out.extend(_raster(_text_as_image(item, profile), profile))
                continue
            _set_style(out, st, item)
            if native is not None:
                _, table, data = native
                if data and st.table != table and any(b >= 0x80 for b in data):
                    out.extend(cmd.code_page(table))
                    st.table = table
                out.extend(data + cmd.line_feed())
                continue
            # no one page: switch pages within the line; Welsh glyphs or transliteration
            first, data, last = profile.encode_mixed(fold_punctuation(text), st.table)
            if b"\x1b%\x01" in data and not st.udc:
                out.extend(udc.define_all())
                st.udc = True
            if first is not None and st.table != first:
                out.extend(cmd.code_page(first))
            if first is not None:
                st.table = last
            out.extend(data + cmd.line_feed())
        elif isinstance(item, Qr):
            set_align(ALIGN[item.align])
            if profile.native_qr:
                out.extend(cmd.qr(item.data.encode("utf-8"), item.module_size, cmd.QrEcc[item.ecc]))
            else:
                out.extend(_raster(_qr_picture(item), profile))
        elif isinstance(item, Image):
            set_align(ALIGN[item.align])
            out.extend(_raster(item.image, profile))
        elif isinstance(item, Feed):
            out.extend(cmd.feed(item.lines))
    if receipt.cut != "none" and profile.cut != "none":
        partial = receipt.cut == "partial" and profile.cut == "partial"
        out.extend(cmd.cut(partial=partial, feed_dots=receipt.feed_before_cut * 8))
    elif receipt.feed_before_cut:
        out.extend(cmd.feed(receipt.feed_before_cut))
    return bytes(out)


def _set_style(out: bytearray, st: _State, item: Line) -> None:
    """Send only what changed; when two or more change and the size fits ESC ! (1 or 2), one
    3-byte ESC ! replaces up to three commands."""
    size = (item.width, item.height)
    changes = (st.bold != item.bold) + (st.underline != item.underline) + (st.size != size)
    if changes >= 2 and item.width <= 2 and item.height <= 2:
        out.extend(cmd.print_mode(item.bold, item.width == 2, item.height == 2, item.underline))
    else:
        if st.bold != item.bold:
            out.extend(cmd.bold(item.bold))
        if st.underline != item.underline:
            out.extend(cmd.underline(1 if item.underline else 0))
        if st.size != size:
            out.extend(cmd.size(item.width, item.height))
    st.bold, st.underline, st.size = item.bold, item.underline, size


def _raster(image: Any, profile: Profile) -> bytes:
    bitmap, wb, h = image_to_raster(image, profile.width_dots)
    return b"".join(cmd.raster_bands(bitmap, wb, h, band=profile.raster_band))


def _qr_picture(item: Qr) -> Any:
    import qrcode

    code = qrcode.QRCode(box_size=item.module_size, border=2)
    code.add_data(item.data)
    return code.make_image().get_image()
