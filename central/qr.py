"""QR codes as inline SVG for central's HTML pages: the staff hand-on page (a link for the
citizen's phone) and the web's saved page (the resume code a kiosk's scanner reads).

One home so the staff console and the web channel do not import each other for it. Drawn as one
SVG path with a white quiet zone of 4 modules: no script, no external image, nothing the pages'
CSP refuses. Failure model: the data we encode is a short link or code we made ourselves; anything
too long for a QR code (``qrcode``'s ``DataOverflowError``) is raised as ``ValueError`` here, a
programming error, never a citizen's.
"""

from __future__ import annotations

from markupsafe import Markup


def qr_svg(data: str, label: str) -> Markup:
    """``data`` as an inline SVG QR code (error correction M), labelled ``label`` for screen
    readers."""
    import qrcode
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    try:
        code.make(fit=True)
    except DataOverflowError as exc:
        raise ValueError(f"{len(data)} characters do not fit in a QR code") from exc
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return Markup(
        f'<svg class="qr" role="img" aria-label="{Markup.escape(label)}" '
        f'viewBox="0 0 {size} {size}" width="264" height="264" '
        f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
