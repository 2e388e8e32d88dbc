"""Sending runs on a worker thread: the screen keeps drawing while it waits, and an answer that
arrives after the person was wiped is dropped instead of reaching the next person's screen."""

from __future__ import annotations

import threading

from journeys import to_check_answers


def test_submit_runs_off_the_main_thread_while_the_screen_keeps_drawing(ui, artifacts):
    seen: list[str] = []
    submit = ui.backend.submit

    def watched(submission):
        seen.append(threading.current_thread().name)
        return submit(submission)

    ui.backend.hold_submit = True
    ui.backend.submit = watched
    to_check_answers(ui)
    ui.d.tap("submit")
    ui.d.pump(5)
    assert ui.d.screen == "submitting" and ui.d.find("title").text == "Sending…"
    assert ui.d.find("language-switch").disabled  # no language switch mid-send
    ui.d.screenshot(artifacts / "submitting.png")
    ui.backend.release.set()
    ui.d.wait_until(lambda: ui.d.screen == "outcome", what="the outcome")
    assert seen == ["kiosk-submit"]


def test_a_late_answer_for_a_wiped_person_is_dropped(ui):
    ui.backend.hold_submit = True
    to_check_answers(ui)
    ui.d.tap("submit")
    assert ui.session.state.value == "submitting"
    ui.session.wipe("requested")  # e.g. staff reset the kiosk
    ui.d.pump(2)
    ui.backend.release.set()
    ui.d.wait_until(lambda: ui.backend.submissions, what="the held submission")
    ui.d.pump(5)
    assert ui.d.screen == "attract" and ui.session.state.value == "attract"
    assert ui.c.result is None and not any("DEMOOFFICE" in t for t in ui.d.texts())
