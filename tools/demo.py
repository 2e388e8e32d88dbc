"""`make demo`: the main job on embedded defaults, start to finish, with everything written to a folder.

1. checks the shipped service catalogue (`kiosk catalogue check config/services`);
2. starts a central service on a SQLite file, registers this kiosk (token) and a member of staff;
3. opens the kiosk's devices from config/kiosk.toml with emulators behind real pseudo-terminals;
4. a citizen at the kiosk fills in "Report a change of address" in Welsh and sends it to central;
5. the kiosk offers the phone: QR + display code; the phone (Chromium) claims it, the citizen
   confirms on the kiosk, the phone shows the case and its status; the kiosk wipes itself;
6. the receipt is printed on the emulated printer (text and PNG of what the paper would show);
7. staff sign in at the console, pick the case up by its reference and read one timeline; then a
   citizen at the counter: staff start a case, show a QR code, the phone opens it, staff confirm it
   is their phone, the phone carries on (counter → web → counter in one timeline);
8. the touchscreen app: with a display it opens; without, it plays the journey on a virtual screen.

Every file written is listed at the end. What is not built yet is said, never faked.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import demo_kiosk  # noqa: E402
import demo_stack  # noqa: E402
import demo_web  # noqa: E402

from kiosk.config import load_kiosk_config  # noqa: E402
from kiosk.documents import build_document, print_receipt, to_pdf  # noqa: E402
from kiosk.runtime.devices import DeviceHub  # noqa: E402

OUT = Path(os.environ.get("DEMO_OUTPUT", ROOT / "demo-output")).resolve()
COUNTER_ANSWERS = {
    "full_name": "Ann Example",
    "ni_number": "JG 10 37 59 A",
    "date_of_birth": "1985-03-27",
}
"""The first step answered at the counter (the citizen's phone does the rest)."""


def say(text: str) -> None:
    print(text, flush=True)


def check_catalogue() -> None:
    say("\n== 1. service catalogue")
    r = subprocess.run(
        [str(demo_stack.BIN / "kiosk"), "catalogue", "check", str(ROOT / "config" / "services")],
        capture_output=True,
        text=True,
        check=False,
    )
    say("   " + (r.stdout.strip() or r.stderr.strip()).replace("\n", "\n   "))
    if r.returncode != 0:
        raise demo_stack.DemoError("the shipped catalogue has problems (listed above)")


def print_documents(
    printer: object, kiosk: demo_kiosk.KioskSide, case: object, submission: object, pdf: bool
) -> list[Path]:
    """The citizen's receipt on the emulated printer (and, for the first case, the A4 letter as
    PDF plus a PNG of its page) — built once from kiosk.documents, rendered twice."""
    service = kiosk.catalogue.services[submission.service_id]  # type: ignore[attr-defined]
    office = kiosk.config.office.name
    ref = case.reference  # type: ignore[attr-defined]
    written: list[Path] = []
    if printer is not None:
        doc = build_document(submission, service, "receipt", reference=ref, office=office,
                             today=date.today())  # type: ignore[arg-type]  # fmt: skip
        print_receipt(printer, doc, 10)  # type: ignore[arg-type]
        kiosk.trace.append("receipt printed (reference, next steps, QR; no answers)")
    if pdf:
        letter = build_document(submission, service, "letter", reference=ref, office=office,
                                today=date.today())  # type: ignore[arg-type]  # fmt: skip
        folder = OUT / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"letter-{ref}.pdf"
        path.write_bytes(to_pdf(letter))
        written.append(path)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))],
                           check=False)  # fmt: skip
            written += sorted(folder.glob(f"letter-{ref}*.png"))
        kiosk.trace.append(f"A4 letter written as PDF ({path.name})")
    return written


def kiosk_outbox_listing(data_dir: Path) -> str:
    r = subprocess.run(
        [str(demo_stack.BIN / "kiosk"), "outbox"],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "KIOSK_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    return (r.stdout or r.stderr).strip()


def phone_and_confirm(
    kiosk: demo_kiosk.KioskSide, central: demo_stack.Central, case_id: str, out: Path
) -> str:
    handoff = kiosk.offer_phone(case_id, out / "kiosk")

    def confirm() -> None:
        deadline = time.monotonic() + 10
        while kiosk.handoff_status(handoff["id"]) != "claimed":
            if time.monotonic() > deadline:
                raise demo_stack.DemoError("the phone's claim never reached the kiosk")
            time.sleep(0.2)
        kiosk.confirm_phone(handoff["id"])

    def phone(browser, shot):  # type: ignore[no-untyped-def]
        return demo_web.phone_flow(
            browser, handoff["verification_uri_complete"], central.url, {}, confirm, shot
        )

    return str(demo_web.run(out / "web", phone))


def touchscreen(
    stack: demo_stack.Stack, central: demo_stack.Central, missing: list[str]
) -> list[Path]:
    """With a display: the kiosk window (`kiosk run --simulate`) until it is closed. Without one:
    a virtual screen on which the app plays a Welsh citizen's journey, one screenshot a screen."""
    env = {**os.environ, "KIOSK_DEVICE_TOKEN": central.device_token,
           "KIOSK_CENTRAL_URL": central.url, "KIOSK_DATA_DIR": str(OUT / "kiosk-app-data")}  # fmt: skip
    if os.environ.get("DISPLAY") and not os.environ.get("DEMO_HEADLESS"):
        say("   opening the kiosk window (close it to finish the demo)")
        env["KIOSK_WINDOWED"] = "1"
        kiosk = [str(Path(sys.executable).parent / "kiosk"), "run", "--simulate"]
        subprocess.run(kiosk, env=env, check=False)
        return []
    display = demo_stack.start_xvfb(stack, force=True)
    if display is None:
        missing.append("the touchscreen app: no display and no Xvfb (Debian package xvfb)")
        return []
    env["DISPLAY"] = display
    say(f"   no display: the app plays a journey on a virtual screen ({display})")
    cmd = [sys.executable, str(ROOT / "tools" / "demo_screens.py"), str(OUT), central.url, "cy"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise demo_stack.DemoError(f"the touchscreen journey failed:\n{proc.stderr[-3000:]}")
    files = [Path(p) for p in json.loads(proc.stdout.strip().splitlines()[-1])]
    say(f"   {sum(p.suffix == '.png' and 'screens' in p.parts for p in files)} screens, "
        "Welsh citizen: attract → language → service → steps → check → submit → print → feedback")  # fmt: skip
    return files


def performance_month(central: demo_stack.Central, office: str) -> list[Path]:
    """A month of funnel sessions in 20 offices on every channel (the simulator's bulk path, its
    ground truth beside it), then an analyst's /staff/performance for that month: scores against
    config/targets.toml, channels side by side."""
    from datetime import timedelta

    truth = OUT / "simulate-1.json"
    bin_ = demo_stack.BIN / "kiosk-central"
    run = [str(bin_), "simulate", "--db", central.db_url, "--days", "30", "--offices", "20"]
    out = subprocess.run([*run, "--seed", "1", "--truth", str(truth)], capture_output=True,
                         text=True, check=False)  # fmt: skip
    if out.returncode != 0:
        raise demo_stack.DemoError(f"simulate failed: {out.stderr.strip()}")
    say(f"   {out.stdout.strip()}")
    password = "demo analyst password 2026"
    out = subprocess.run(
        [str(bin_), "add-staff", "--db", central.db_url, "--username", "demo-analyst",
         "--role", "analyst", "--office", office, "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise demo_stack.DemoError(f"add-staff (analyst) failed: {out.stderr.strip()}")
    month = (date.today() - timedelta(days=16)).strftime("%Y-%m")

    def analyst(browser, shot):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{central.url}/staff/login")
        page.get_by_label("Username").fill("demo-analyst")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{central.url}/staff/performance")
        page.goto(f"{central.url}/staff/performance?period={month}")
        score = page.locator('[data-score="overall"]').inner_text()
        path = shot(page, "staff-03-performance")
        context.close()
        return score, path

    score, path = demo_web.run(OUT / "web", analyst)
    say(f"   /staff/performance for {month}, every office: score {score} against the targets")
    return [truth, path]


def main() -> int:
    logging.basicConfig(level=logging.ERROR, format="   (%(name)s: %(message)s)")
    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stack = demo_stack.Stack(OUT)
    missing: list[str] = []
    browser_missing = demo_web.available()
    if browser_missing:
        missing.append(f"phone and staff pages: {browser_missing}")
    config = load_kiosk_config(
        ROOT / "config" / "kiosk.toml", env={"KIOSK_DATA_DIR": str(OUT / "kiosk-data")}
    )
    catalogue_dir = ROOT / "config" / "services"
    try:
        check_catalogue()
        say("\n== 2. central service (SQLite)")
        central = demo_stack.start_central(stack, config.office.id, catalogue_dir)
        say(f"   {central.url}  database {central.db_url}")
        say("   kiosk registered (token shown once, kept in memory); staff user demo-staff created")

        say("\n== 3. kiosk devices (emulated)")
        with DeviceHub(config, simulate=True, emulator_output=OUT / "receipts") as hub:
            for name, state in hub.states().items():
                note = f" ({state['note']})" if state.get("note") else ""
                say(f"   {name:18} {state['state']:7} {state['condition']}{note}")
            kiosk = demo_kiosk.KioskSide(config, central.url, central.device_token)
            printer = hub.by_driver("escpos")
            try:
                say("\n== 4. a citizen at the kiosk, in Welsh, continues on the phone")
                case, _, submission = kiosk.citizen_fills_in("cy")
                if browser_missing is None:
                    shown = phone_and_confirm(kiosk, central, case.case_id, OUT)
                    kiosk.trace.append(f"the phone shows reference {shown}")
                    kiosk.finish()
                else:
                    kiosk.finish("print")
                written += print_documents(printer, kiosk, case, submission, pdf=True)
                for line in kiosk.trace:
                    say(f"   {line}")
                kiosk.trace.clear()

                say("\n== 5. the network drops; the next citizen still leaves with a reference")
                demo_stack.stop_central(central)
                offline_case, sent, offline_sub = kiosk.citizen_fills_in("en")
                if sent:
                    raise demo_stack.DemoError("central was stopped but the case was 'sent'")
                kiosk.finish("print")
                print_documents(printer, kiosk, offline_case, offline_sub, pdf=False)
                for line in kiosk.trace:
                    say(f"   {line}")
                kiosk.trace.clear()
                say("   $ kiosk outbox")
                say("   " + kiosk_outbox_listing(OUT / "kiosk-data").replace("\n", "\n   "))
                say("   … central comes back")
                demo_stack.serve_central(stack, central, catalogue_dir)
                kiosk.relay.wake()
                deadline = time.monotonic() + 30
                while kiosk.outbox.depth() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if kiosk.outbox.depth():
                    raise demo_stack.DemoError("the saved case did not reach central")
                stored, _ = kiosk.client.get_case(offline_case.case_id)
                say(f"   central now has {stored['reference']} (status {stored['status']})")
            finally:
                kiosk.close()
            written += sorted((OUT / "receipts").glob("receipt-*"))

        if browser_missing is None:
            say("\n== 6. staff console")

            def staff(browser, shot):  # type: ignore[no-untyped-def]
                return demo_web.staff_flow(
                    browser, central.url, central.staff_user, central.staff_password,
                    case.reference, shot,
                )  # fmt: skip

            channels = demo_web.run(OUT / "web", staff)
            say(f"   one timeline, channels in order: {' → '.join(channels)}")

            say("\n== 6b. a citizen at the counter carries on from their phone")

            def counter(browser, shot):  # type: ignore[no-untyped-def]
                return demo_web.counter_flow(
                    browser, central.url, central.staff_user, central.staff_password,
                    COUNTER_ANSWERS, shot,
                )  # fmt: skip

            channels = demo_web.run(OUT / "web", counter)
            say("   staff started it at the counter, showed a QR code, confirmed the phone")
            say(f"   one timeline, channels in order: {' → '.join(channels)}")
            say("\n== 6c. performance over a simulated month (kiosk-central simulate)")
            written += performance_month(central, config.office.id)
            written += sorted((OUT / "kiosk").glob("*.png")) + sorted((OUT / "web").glob("*.png"))

        say("\n== 7. touchscreen app")
        written += touchscreen(stack, central, missing)
    except demo_stack.DemoError as exc:
        say(f"\ndemo stopped: {exc}")
        return 1
    finally:
        stack.close()

    say(f"\n== files written under {OUT}")
    for path in written:
        say(f"   {path.relative_to(OUT)}")
    if missing:
        say("\n== not shown (not built yet or not installed)")
        for item in missing:
            say(f"   - {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
