"""Where ``kiosk diagnose`` found the central-link and outbox lines before they moved into
:mod:`kiosk.diagnostics.link_checks` (issue 18.3: every check lives in ``kiosk/diagnostics``).

Kept as a re-export so older imports keep working; nothing is defined here.
"""

from __future__ import annotations

from kiosk.diagnostics.link_checks import STALE_AFTER_S, check_central, check_outbox

__all__ = ["STALE_AFTER_S", "check_central", "check_outbox"]
