"""The web channel (phone): server-rendered, accessible HTML in English and Welsh.

A citizen reaches exactly one case, through a handoff claim (QR secret, or the one code the kiosk shows, typed at ``/h``) or a
printed-slip code with its second factor, as a fresh HttpOnly cookie; then answers the remaining
steps, checks the answers, submits, sees the reference and the case status, and may leave feedback.
Pages are rendered from the same catalogue definition the kiosk uses.

Modules: :mod:`i18n` (UI strings), :mod:`render` (Jinja2), :mod:`forms` (catalogue adapter),
:mod:`citizen` (cookie session, CSRF, the POST guards), :mod:`claim_routes` (/h, /resume),
:mod:`case_routes` (/case/...), :mod:`routes` (the router the app includes), :mod:`testkit` (a
two-language demo service, a manual clock and an app builder for tests, benchmarks and demos).

Errors: none of its own; handoff errors (:mod:`central.handoff`) are rendered as pages, and a
missing or ended session is a page that says how to start again, never a traceback.
"""
