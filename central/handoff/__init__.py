"""Handoffs between devices (RFC 8628 ideas) and printed-slip resume codes.

A kiosk asks for a handoff; the phone claims it with the secret from the QR code's URL fragment (or,
typed by hand at ``<base>/h``, the one code the kiosk shows under it: a 4-letter handle naming the
handoff, then the 8-letter display code); the kiosk confirms or declines. A printed slip carries a
resume code that opens the case again later, only with a second factor chosen at the kiosk.

Modules: :mod:`codes` (secrets, display codes, hashing), :mod:`ratelimit` (per-client limits of
failed attempts), :mod:`models` (tables, incl. citizen web sessions), :mod:`service` (the state
machine: rows, refusals, the typed code's claim), :mod:`batch` (handoff creates and QR claims of
many requests in one transaction), :mod:`resume` (slip codes), :mod:`history` (appending events to
a case's one history through the fold), :mod:`errors`, :mod:`routes` (the device API).

Errors::

    Exception
    └── HandoffError                 anything the citizen or kiosk did wrong; carries an HTTP status
        ├── HandoffNotFound          no such handoff / code (404)
        ├── HandoffExpired           past expires_at, or locked after too many wrong codes (410)
        ├── HandoffAlreadyClaimed    someone else won the claim (409)
        ├── HandoffStateError        confirm/decline in the wrong state or by the wrong kiosk (409/403)
        ├── WrongCode                a wrong display code or second factor (400; attempts_left)
        └── RateLimited              too many attempts from this client (429; retry_after)
"""
