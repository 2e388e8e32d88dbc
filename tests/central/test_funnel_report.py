"""``kiosk-central report``: the open-data CSV (small counts suppressed) and the JSON, from rollups
filled through the real API. Every cell below is worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from funnel_support import session_events

from central.cli import main

SERVICE = "change-of-address"


def history(client, auth, engine, office, clock) -> None:  # type: ignore[no-untyped-def]
    day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    events = []
    for _ in range(7):
        events += session_events(SERVICE, day, steps=("where",), reason="submitted", duration_s=200)
    for _ in range(2):
        events += session_events(SERVICE, day, steps=("where",), reason="idle_wipe", duration_s=300)
    for _ in range(3):  # assisted digital on a kiosk: a digital channel of its own
        events += session_events(
            SERVICE, day, reason="submitted", duration_s=100, channel="assisted"
        )
    response = client.post("/api/v1/funnel", json={"events": events}, headers=auth)
    assert response.json()["accepted"] == len(events)


def test_the_open_data_csv_suppresses_small_counts(client, auth, engine, office, clock, capsys):  # type: ignore[no-untyped-def]
    history(client, auth, engine, office, clock)
    url = engine.url.render_as_string(hide_password=False)
    argv = ["report", "--db", url, "--period", "2026-03", "--office", office]
    assert main([*argv, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = f"2026-03,2026-03-01,2026-03-31,{office},{SERVICE}"
    assert lines == [
        "period,start_date,end_date,office,service_id,channel,sessions_started,sessions_completed,"
        "sessions_failed,completion_rate,median_time_to_complete_s,p90_time_to_complete_s,"
        "handed_off,digital_take_up,satisfaction_responses,user_satisfaction,"
        "satisfaction_response_rate,cost_per_transaction",
        # 3 of (7 + 2); 7 sessions of 200 s in (180, 240]: ranks 3.5 and 6.3 of 7
        f"{head},assisted,[c],[c],0,[c],[c],[c],0,,0,,[c],",  # 0 of 3 endings: too few
        f"{head},kiosk,9,7,[c],0.7778,210,234,0,,0,,[c],",
        # 3 in (90, 120] then 7 in (180, 240]: ranks 5 and 9 of 10 fall in the second
        # cost per transaction: 7 on the kiosk at 1.10 and 3 assisted at 3.90, over 10 completed
        f"{head},all,12,10,[c],0.8333,197.1429,231.4286,0,1,0,,[c],1.94",
    ]
    assert main([*argv, "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["services"][SERVICE]["channels"]["assisted"]["completed"] == 3  # not suppressed


def test_a_bad_period_and_an_unmigrated_database_are_one_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--period", "May"]) == 1
    assert "expected YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--period", "2026-05"]) == 1
    assert "migrate" in capsys.readouterr().err
