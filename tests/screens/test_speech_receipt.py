"""The receipt spoken (issue 19 item 4, EN 301 549 5.1.3.x): "Read my receipt" is on the outcome
only while audio guidance is on, and reads the receipt's words in the citizen's language; the
runtime's sentences are the paper's own words (a real KioskRuntime printing on the emulated
receipt printer, its paper read back), codes spelled."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from speech_support import audio, plug, said

__all__ = ["audio"]  # the fixture, used by name

TESTS = Path(__file__).resolve().parents[1]
CONFIG = TESTS.parent / "config" / "kiosk.toml"


def to_outcome(a, lang: str, headphones: bool = True) -> None:
    from journeys import step_answers

    d, s = a.d, a.session
    if headphones:
        plug(a, True)
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    for values in step_answers(a.clock.now().date()):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_read_my_receipt_reads_the_receipt_in_the_citizens_language(audio, lang):
    a, d = audio, audio.d
    asked = []
    words = {
        "en": ("Your receipt.", "Reference: D E M O."),
        "cy": ("Eich derbynneb.", "Cyfeirnod."),
    }

    def receipt_speech(submission, result):
        asked.append((submission.language, result.reference))
        return words[submission.language]

    a.c.backend.receipt_speech = receipt_speech
    to_outcome(a, lang)
    button = d.find("outcome:read-receipt")
    assert button.text == {"en": "Read my receipt", "cy": "Darllen fy nerbynneb"}[lang]
    assert button.spoken in said(a)[-1][0]  # offered in the screen's reading
    d.tap("outcome:read-receipt")
    d.wait_until(lambda: said(a)[-1] == (" ".join(words[lang]), lang), what="the receipt read")
    assert asked == [(lang, d.find("reference").text.split()[-1])]


def test_read_my_receipt_is_not_offered_without_audio_guidance(audio):
    a, d = audio, audio.d
    a.c.backend.receipt_speech = lambda submission, result: ("x",)
    to_outcome(a, "en", headphones=False)
    assert d.has("outcome:finish") and not d.has("outcome:read-receipt")


@pytest.fixture
def runtime(tmp_path):
    sys.path.insert(0, str(TESTS / "kiosk"))
    from live_central import LiveCentral

    from kiosk.config import load_kiosk_config
    from kiosk.runtime.app import KioskRuntime

    central = LiveCentral(tmp_path, office="demo-office").start()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": central.url,
           "KIOSK_DEVICE_TOKEN": central.token}  # fmt: skip
    rt = KioskRuntime(load_kiosk_config(CONFIG, env=env), simulate=True).start()
    yield rt
    rt.stop()
    central.stop()


def test_the_runtime_reads_the_receipt_it_prints_word_for_word(runtime):
    sys.path.insert(0, str(TESTS / "kiosk" / "outbox"))
    from outbox_support import submission

    from kiosk.documents.speech import spell

    for lang in ("en", "cy"):
        sub = submission()
        sub = type(sub)(sub.service_id, lang, sub.kind, None, sub.answers, ())
        result = runtime.submit(sub)
        assert runtime.print_receipt(sub, result) is None
        paper = runtime.devices.emulator("receipt-printer").receipts[-1]
        printed = " ".join((paper.text() if callable(getattr(paper, "text", None))
                            else str(paper)).replace("’", "'").split())  # fmt: skip
        sentences = runtime.receipt_speech(sub, result)
        assert f"{spell(result.reference)}." in sentences[3]
        assert "AB123456C" not in " ".join(sentences)  # what the paper leaves out, speech does too
        for sentence in sentences[1:]:  # label and value each as on the paper
            for part in sentence.rstrip(".").replace("’", "'").split(": "):  # the printer's ASCII
                if part != spell(result.reference):
                    assert part in printed, (lang, sentence)
