"""Step 7 of `make demo`: the touchscreen app plays a citizen's journey on the real kiosk runtime.

Run by tools/demo.py in a process of its own (Kivy reads its environment once, at import, and allows
one window per process), on the display in $DISPLAY (a virtual Xvfb screen when there is no real
one). The runtime is the real one: emulated devices behind pseudo-terminals, the outbox and relay,
the central service started by the demo. One screenshot per screen goes to OUT/screens/, the
receipt the emulated printer printed to OUT/receipts-app/. The last line printed is a JSON list of
the files written.

    python tools/demo_screens.py OUT CENTRAL_URL [LANGUAGE]   (the device token in $KIOSK_DEVICE_TOKEN)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(out: Path, central_url: str, language: str) -> int:
    from kiosk.config import load_kiosk_config

    data = out / "kiosk-app-data"
    config = load_kiosk_config(
        ROOT / "config" / "kiosk.toml",
        env={"KIOSK_DATA_DIR": str(data), "KIOSK_CENTRAL_URL": central_url},
    )
    from screens.env import prepare_kivy

    prepare_kivy(home=data / "kivy", size=config.screen.resolution)
    from kivy.core.window import Window

    from kiosk.runtime.app import KioskRuntime
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.driver import Driver
    from screens.script import play_journey

    Window.size = config.screen.resolution
    token = os.environ["KIOSK_DEVICE_TOKEN"]
    receipts = out / "receipts-app"
    runtime = KioskRuntime(config, simulate=True, emulator_output=receipts, token=token)
    with runtime:
        session = Session.from_config(config, runtime.catalogue)
        controller = build_ui(session, runtime.backend(), config)
        try:
            from screens.device_flows import wire_runtime

            wire_runtime(controller, runtime, config)
        except ImportError:
            pass
        driver = Driver(controller).attach()
        shots = play_journey(driver, out / "screens", language=language, outcome="print")
        driver.detach()
    files = [*shots, *sorted(receipts.glob("receipt-*"))]
    print(json.dumps([str(p) for p in files]))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "cy"))
