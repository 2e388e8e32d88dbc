"""The staff console: login, the office queue, pick-up by reference or display code, the case
timeline (every event with its channel and actor), notes, assign and close.

Modules: :mod:`models` (tables), :mod:`auth` (argon2 passwords, session cookies, CSRF, roles — and
``authenticate_staff``, the hook :func:`central.auth.require_staff` calls for the JSON API),
:mod:`routes` (the HTML console), :mod:`cli_cmd` (``kiosk-central add-staff``).

Errors::

    ValueError
    └── StaffError   a bad username, role, office or password when creating an account
    (requests: a missing session is a redirect to the login page; a missing role, a bad CSRF token
    or a foreign office is a 403 page; the JSON hook raises ``ProblemError(401/403)``)
"""
