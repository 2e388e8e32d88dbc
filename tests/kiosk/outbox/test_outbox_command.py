"""`kiosk outbox`: lists what waits and what central refused — references and reasons, no answers."""

from __future__ import annotations

import json
from pathlib import Path

from outbox_support import submission

from kiosk.cli import main
from kiosk.outbox import Outbox, RowCipher, outbox_path
from kiosk.runtime.cases import CaseDesk

CONFIG = str(Path(__file__).resolve().parents[3] / "config" / "kiosk.toml")


def test_lists_waiting_and_refused_without_answers(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    box = Outbox(outbox_path(tmp_path), RowCipher("dev_x.token", "k"))
    desk = CaseDesk(box, None, "DEMO")
    kept, refused = desk.submit(submission()), desk.submit(submission())
    (head,) = [d for d in box.due() if d.case_id == refused.case_id]
    box.bury(head.seqs, "central refused it: 422 invalid-answers")
    box.close()

    assert main(["outbox", "--config", CONFIG]) == 0
    out = capsys.readouterr().out
    assert "3 waiting, 1 refused" in out
    assert kept.reference in out and "REFUSED" in out and "invalid-answers" in out
    assert "AB123456C" not in out and "Ann Example" not in out

    assert main(["outbox", "--config", CONFIG, "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in listing["pending"]] == ["create", "events", "events"]
    assert listing["dead"][0]["reference"] == refused.reference


def test_funnel_rows_are_one_line(tmp_path, monkeypatch, capsys):
    from kiosk.outbox.funnel import FunnelOutbox

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    box = Outbox(outbox_path(tmp_path), RowCipher("dev_x.token", "k"))
    for _ in range(30):
        FunnelOutbox(box).record([{"type": "step", "step_id": "who"}])
    box.close()
    assert main(["outbox", "--config", CONFIG]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "30 waiting" in out[0] and len(out) == 2
    assert out[1].split()[:4] == ["funnel", "events", "30", "row(s),"]


def test_empty_kiosk_says_nothing_waits(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert main(["outbox", "--config", CONFIG]) == 0
    assert "0 waiting, 0 refused" in capsys.readouterr().out


def test_broken_config_is_named_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('kiosk_id = "x"\nlanguages = [\n')
    assert main(["outbox", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err
