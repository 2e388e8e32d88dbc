"""``/staff/performance``: analysts and admins see each service's channels side by side, with a
server-drawn chart and the same numbers as the report (both databases)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from funnel_support import session_events

SERVICE = "change-of-address"


def fill(client, auth) -> None:  # type: ignore[no-untyped-def]
    day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    events = []
    for reason, seconds in (("submitted", 200), ("submitted", 250), ("idle_wipe", 90)):
        events += session_events(SERVICE, day, steps=("where",), reason=reason, duration_s=seconds,
                                 features=("large_text",) if seconds == 90 else ())  # fmt: skip
    events += session_events(SERVICE, day, reason="submitted", duration_s=100, channel="assisted")
    assert client.post("/api/v1/funnel", json={"events": events}, headers=auth).status_code == 200


def cells(html: str, channel: str) -> list[str]:
    row = re.search(rf'<tr data-channel="{channel}">(.*?)</tr>', html, re.S)
    assert row is not None, channel
    return [re.sub(r"<.*?>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1])]


def test_an_analyst_sees_channels_side_by_side(client, auth, office, staff_login) -> None:  # type: ignore[no-untyped-def]
    fill(client, auth)
    _, cookies = staff_login(office, role="analyst")
    client.cookies.update(cookies)
    landing = client.get("/staff", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/staff/performance"
    page = client.get(f"/staff/performance?period=2026-03&office={office}")
    assert page.status_code == 200
    html = page.text
    assert "Content-Security-Policy" in page.headers and "<script" not in html
    assert cells(html, "kiosk") == [
        "Kiosk",
        "3",
        "2",
        "1",
        "67%",
        "4 min 0 s",
        "4 min 48 s",
        "0",
        "",
        "– (0)",  # satisfied (responses): no feedback yet
        "",  # cost per transaction: on the service's all-channels row
    ]
    assert cells(html, "assisted")[:5] == ["Assisted digital", "1", "1", "0", "100%"]
    assert cells(html, "all")[-3] == "100%"  # digital take-up: every completion was digital
    assert 'role="img"' in html and "Completion rate by channel" in html
    assert "Kiosk 67%" in html and "Assisted digital 100%" in html
    assert 'href="/staff/performance">Performance</a>' in html
    trend = html.split('data-table="trend"')[1].split("</table>")[0]  # the month, day by day
    assert trend.count("<tr>") == 32  # the head and 31 days of March
    assert (
        '<tr><th scope="row">2026-03-02</th><td>4</td><td>3</td><td>1</td><td>75%</td></tr>'
        in trend
    )
    assert (
        '<tr><th scope="row">2026-03-03</th><td>0</td><td>0</td><td>0</td><td>–</td></tr>' in trend
    )
    features = html.split('data-table="features"')[1].split("</table>")[0]
    assert '<th scope="row">Large text</th><td>0</td><td>1</td>' in features  # assisted, kiosk
    assert (
        client.get(f"/staff/performance?period=2026-04&office={office}").text.count(
            "No sessions started"
        )
        == 1
    )
    bad = client.get("/staff/performance?period=last+month")
    assert bad.status_code == 400 and "Enter a period like" in bad.text


def test_staff_without_the_permission_are_refused(client, office, staff_login) -> None:  # type: ignore[no-untyped-def]
    _, cookies = staff_login(office, role="staff")
    client.cookies.update(cookies)
    assert client.get("/staff/performance").status_code == 403
    _, cookies = staff_login(office, role="admin")
    client.cookies.update(cookies)
    assert client.get("/staff/performance").status_code == 200


def test_the_page_says_what_the_export_says(client, auth, engine, office, staff_login, app) -> None:  # type: ignore[no-untyped-def]
    from central.measure import report
    from central.measure.metrics import Period, metrics

    fill(client, auth)
    _, cookies = staff_login(office, role="admin")
    client.cookies.update(cookies)
    html = client.get(f"/staff/performance?period=2026-03&office={office}").text
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2026-03"), app.state.catalogue.catalogue, office=office)
    rows = report.table(found)
    assert {r["channel"] for r in rows} == {"kiosk", "assisted", "all"}
    for row in rows:
        shown = cells(html, row["channel"])
        counts = ("sessions_started", "sessions_completed", "sessions_failed")
        assert shown[1:4] == [str(row[c]) for c in counts]
        assert shown[4] == f"{row['completion_rate'] * 100:.0f}%"
        assert shown[7] == str(row["handed_off"])
