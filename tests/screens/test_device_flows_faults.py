"""A device fault during a citizen's session: a calm notice from the fault's action hint.

The receipt printer is the real ESC/POS emulator on a pseudo-terminal; its paper-out switch makes
it send an automatic status back, the driver raises a StatusChanged with the paper_out fault
(hint ``clear``), and the citizen at the outcome screen is told what to do — in their language,
with no device jargon and no traceback — and keeps their reference and ways on."""

from __future__ import annotations

# The shared fixtures are imported by name, so test arguments of the same name are not redefinitions.
# ruff: noqa: F811
from test_device_flows_support import flows, hub, pins, to_outcome  # noqa: F401  (fixtures)


def _paper(hub, out: bool) -> None:
    hub.emulator("receipt-printer").host.set_fault("paper_out", out)


def test_paper_out_at_the_outcome_screen_shows_what_to_do(ui, hub, flows, artifacts):
    d = ui.d
    d.tap(d.shell.manager)
    d.wait_until(lambda: d.screen == "language", 10, "the language screen")
    to_outcome(d, ui.today)
    _paper(hub, True)
    d.wait_until(lambda: d.has("device-notice"), 10, "the printer notice")
    assert d.find("notice-title").text == "About the printer"
    assert d.find("notice-text").text == (
        "The printer needs attention. Please ask a member of staff."
    )
    texts = " ".join(d.texts(everywhere=False))
    assert "Traceback" not in texts and "paper_out" not in texts and "Error" not in texts
    d.screenshot(artifacts / "paper-out-notice.png")
    d.tap("notice-ok")
    assert not d.has("device-notice")
    assert d.has("outcome:print") and d.has("outcome:staff") and d.has("reference")
    # fixed, then out again: told again; fixed while the notice shows: the notice goes by itself
    _paper(hub, False)
    d.wait_until(lambda: not hub.device("receipt-printer").faults, 10, "paper back")
    d.pump(3)
    assert not d.has("device-notice")
    _paper(hub, True)
    d.wait_until(lambda: d.has("device-notice"), 10, "the notice again")
    _paper(hub, False)
    d.wait_until(lambda: not d.has("device-notice"), 10, "the notice to go")
    assert d.screen == "outcome"


def test_a_fault_in_welsh_and_none_before_the_outcome(ui, hub, flows):
    d = ui.d
    d.tap(d.shell.manager)
    d.wait_until(lambda: d.screen == "language", 10, "the language screen")
    _paper(hub, True)  # nobody needs the printer on the language screen: no notice
    d.wait_until(lambda: bool(hub.device("receipt-printer").faults), 10, "the fault")
    d.pump(5)
    assert not d.has("device-notice")
    _paper(hub, False)
    d.wait_until(lambda: not hub.device("receipt-printer").faults, 10, "paper back")
    to_outcome(d, ui.today)
    d.tap("language-switch")
    _paper(hub, True)
    d.wait_until(lambda: d.has("device-notice"), 10, "the printer notice")
    assert d.find("notice-title").text == "Am yr argraffydd"
    assert d.find("notice-text").text == (
        "Mae angen sylw ar yr argraffydd. Gofynnwch i aelod o staff."
    )
