"""Rendering pages: one Jinja2 environment over ``central/templates``, security headers on every page.

Templates get ``lang``, ``t`` (interface strings), ``text`` (a catalogue :class:`Text` in the page
language), ``other_lang`` and ``lang_url`` for the toggle. Pages never cache (they hold personal data)
and send no Referer to other sites.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from catalogue.hints import hint_text
from central.web.i18n import pick_lang, t

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
LANG_COOKIE = "lang"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A hint's {example} date is computed from its field's limits on the day the page is drawn (every
# template of this environment, the staff console's new-case steps included, reads hints this way).
env.globals["hint"] = lambda field, lang: hint_text(field, lang, date.today()) or ""


def request_lang(request: Request) -> str:
    return pick_lang(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = context.pop("lang", None) or request_lang(request)
    other = "cy" if lang == "en" else "en"
    query = dict(request.query_params) | {"lang": other}
    html = env.get_template(template).render(
        lang=lang,
        other_lang=other,
        lang_url=f"{request.url.path}?{urlencode(query)}",
        t=lambda key, **fmt: t(lang, key, **fmt),
        text=lambda value: value.get(lang) if value is not None else "",
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if request.query_params.get("lang") in ("en", "cy"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
