"""printer-state-reasons (RFC 8011 §5.4.12, PWG 5100.9) → Faults of our device model.

A keyword may carry a severity suffix: "-error" (blocking), "-warning" (reported, not blocking),
"-report" (informational: ignored — except "offline-report", which is how CUPS says the printer is
off). RFC 8011 §5.4.12: a keyword without a suffix "MUST be assumed to be an error" — so an unknown
keyword without suffix is a blocking fault for a technician, except the short list of sub-states
that are not faults (NOT_FAULTS: the queue moving to paused, CUPS waiting on a job…). Unknown
"-error" keywords are the same, so nothing the printer says is silently dropped.
"""

from __future__ import annotations

from peripherals.conditions import ActionHint, Condition, Fault

__all__ = ["faults_from_reasons"]

U, H, OFF = Condition.USER_ERROR, Condition.HARDWARE_ERROR, Condition.OFFLINE
C, M, R = ActionHint.CLEAR, ActionHint.MAINTENANCE, ActionHint.RESET

#: keyword → (our code, condition, hint, sentence, blocking)
KNOWN: dict[str, tuple[str, Condition, ActionHint, str, bool]] = {
    "media-empty": ("paper_out", U, C, "The document printer is out of paper.", True),
    "media-needed": ("paper_out", U, C, "The document printer is out of paper.", True),
    "media-low": ("paper_low", U, C, "The document printer's paper is running low.", False),
    "media-jam": ("paper_jam", U, C, "Paper is jammed in the document printer.", True),
    "cover-open": ("cover_open", U, C, "A cover of the document printer is open.", True),
    "door-open": ("cover_open", U, C, "A door of the document printer is open.", True),
    "input-tray-missing": ("tray_missing", U, C, "A paper tray is missing.", True),
    "output-area-full": ("output_full", U, C, "The output tray is full.", True),
    "toner-empty": ("toner_out", U, C, "The document printer is out of toner.", True),
    "toner-low": ("toner_low", U, C, "The document printer's toner is running low.", False),
    "marker-supply-empty": (
        "toner_out",
        U,
        C,
        "The document printer is out of ink or toner.",
        True,
    ),
    "marker-supply-low": ("toner_low", U, C, "Ink or toner is running low.", False),
    "offline": ("offline", OFF, R, "The document printer is offline.", True),
    "shutdown": ("offline", OFF, M, "The document printer is shut down.", True),
    "paused": ("queue_paused", OFF, M, "The print queue is paused.", True),
    "connecting-to-device": ("connecting", OFF, R, "CUPS is connecting to the printer.", False),
    "timed-out": ("offline", OFF, R, "The document printer does not answer.", True),
    "spool-area-full": ("spool_full", H, M, "The print spool is full.", True),
    "cups-missing-filter": (
        "driver_missing",
        H,
        M,
        "The printer driver is missing a filter.",
        True,
    ),
}


#: keywords (without suffix) that describe what the printer is doing, not a fault
NOT_FAULTS = frozenset(
    {
        "moving-to-paused",
        "processing-to-stop-point",
        "printer-restarted",
        "cups-waiting-for-job-completed",
        "cups-remote-pending",
        "cups-remote-pending-held",
        "cups-remote-processing",
        "identify-printer-requested",
    }
)


def _split(keyword: str) -> tuple[str, str]:
    for suffix in ("-error", "-warning", "-report"):
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)], suffix[1:]
    return keyword, ""


def faults_from_reasons(
    reasons: tuple[str, ...] | list[str], state: int = 3, accepting: bool = True
) -> list[Fault]:
    """The faults a Get-Printer-Attributes answer means (at most one per code)."""
    faults: dict[str, Fault] = {}
    for keyword in reasons:
        base, severity = _split(keyword.strip())
        if base == "offline" and severity == "report":
            severity = "error"  # CUPS says "offline-report" when the backend finds the printer off
        if base in ("", "none") or severity == "report" or (base in NOT_FAULTS and not severity):
            continue
        if base in KNOWN:
            code, condition, hint, sentence, blocking = KNOWN[base]
            if severity == "warning":
                blocking = False
            elif severity == "error":
                blocking = True
        elif severity == "warning":
            code, condition, hint, blocking = base.replace("-", "_"), U, M, False
            sentence = f"The document printer reports a warning ({base})."
        else:  # "-error", or no suffix: an error (RFC 8011)
            code, condition, hint, blocking = base.replace("-", "_"), H, M, True
            sentence = f"The document printer reports an error ({base})."
        faults.setdefault(code, Fault(code, condition, hint, sentence, blocking))
    if state == 5 and not any(f.blocking for f in faults.values()):
        faults.setdefault(
            "queue_stopped", Fault("queue_stopped", OFF, M, "The print queue is stopped.", True)
        )
    if not accepting:
        faults.setdefault(
            "not_accepting",
            Fault("not_accepting", OFF, M, "The print queue is not accepting jobs.", True),
        )
    return list(faults.values())
