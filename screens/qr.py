"""A QR code as a Kivy texture (crisp modules: nearest-neighbour scaling, a quiet zone of 4)."""

from __future__ import annotations

import qrcode
from kivy.graphics.texture import Texture

__all__ = ["qr_texture"]


def qr_texture(data: str, box: int = 8) -> Texture:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
