"""The ``kiosk`` command line (DESIGN.md, "Contracts").

Each sub-command imports its implementation lazily, so ``kiosk --help`` stays fast and a command
whose optional dependencies are missing fails with a sentence, not a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

DEFAULT_CONFIG = "config/kiosk.toml"


def _not_built(name: str, issue: str) -> Callable[[argparse.Namespace], int]:
    def run(_: argparse.Namespace) -> int:
        print(
            f"kiosk {name}: not built yet (see issue {issue}); nothing was done.",
            file=sys.stderr,
        )
        return 2

    return run


def _catalogue_check(args: argparse.Namespace) -> int:
    from catalogue.check import main as check_main

    return check_main(args.dir, sys.stdout)


def _emulate(args: argparse.Namespace) -> int:
    from peripherals.emulators.cli import run as emulate_run

    return emulate_run(args.device, args.fault or [], baud=args.baud, link=args.link)


def _devices(args: argparse.Namespace) -> int:
    from kiosk.device_commands import devices

    return devices(args.config, as_json=args.json)


def _bundle(args: argparse.Namespace) -> int:
    from kiosk.runtime.bundles import bundle_command

    return bundle_command(args.config, as_json=args.json)


def _diagnose(args: argparse.Namespace) -> int:
    from kiosk.device_commands import diagnose

    return diagnose(args.config, level=args.level, as_json=args.json, report=args.report)


def _outbox(args: argparse.Namespace) -> int:
    from kiosk.outbox_command import outbox

    return outbox(args.config, as_json=args.json)


def _badge_pin(args: argparse.Namespace) -> int:
    from kiosk.badge_pins import badge_pin_command

    return badge_pin_command(args.config, args.badge, args.stdin, remove=args.remove)


def _enrol(args: argparse.Namespace) -> int:
    from kiosk.runtime.enrol import enrol_command

    return enrol_command(args.config, args.code, args.name)


def _agent(args: argparse.Namespace) -> int:
    from kiosk.runtime.headless import run_headless

    return run_headless(args.config)


def _first_start(config_path: str) -> int | None:
    """A kiosk with no token and an enrolment code left for it enrols before it starts."""
    from pathlib import Path

    from kiosk.config import ConfigError, load_kiosk_config
    from kiosk.runtime.enrol import EnrolError, first_start

    try:
        config = load_kiosk_config(Path(config_path))
    except ConfigError:
        return None  # the app says what is wrong with the configuration
    try:
        done = first_start(config)
    except EnrolError as exc:
        print(f"kiosk run: enrolment failed: {exc}", file=sys.stderr)
        return 2
    if done is not None:
        print(f"kiosk run: enrolled as {done.device_id} ({done.office})", file=sys.stderr)
    return None


def _run(args: argparse.Namespace) -> int:
    # The kiosk core never imports the UI (DESIGN.md): the touchscreen front end registers itself
    # under the "omnikiosk.frontends" entry point group in pyproject.toml and is found here by name.
    from importlib.metadata import entry_points

    found = entry_points(group="omnikiosk.frontends", name="touchscreen")
    if not found:
        return _not_built("run", "#6 (touchscreen app)")(args)
    if not args.simulate:
        failed = _first_start(args.config)
        if failed is not None:
            return failed
    run_app = next(iter(found)).load()
    return int(run_app(args.config, simulate=args.simulate))


EMULATE_EPILOG = """\
The first line printed is the port URL to open (a pseudo-terminal path). A control socket at
<port>.ctl takes one command a line, e.g. with `socat - UNIX-CONNECT:/dev/pts/N.ctl`:
  swipe TRACK1 TRACK2      card-reader: swipe a card with these tracks
  card PAN                 card-reader: swipe a test card with this number
  scan TEXT                scanner: scan a code
  fault NAME on|off        switch a fault (paper_out, cover_open, unplug, ...)
Receipts printed are kept; with KIOSK_EMULATOR_OUTPUT=DIR each is saved as receipt-NNN.txt/.png.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Self-service kiosk runtime: touchscreen app, devices, diagnostics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="start the touchscreen app")
    p.add_argument("--config", default=DEFAULT_CONFIG, help="kiosk.toml (default: %(default)s)")
    p.add_argument("--simulate", action="store_true", help="start an emulator for every device")
    p.set_defaults(func=_run)

    p = sub.add_parser(
        "enrol", help="trade an enrolment code from central for this kiosk's device token"
    )
    p.add_argument("code", help="the code an admin made (kiosk-central enrol-code or the console)")
    p.add_argument("--config", default=DEFAULT_CONFIG, help="kiosk.toml (default: %(default)s)")
    p.add_argument("--name", default=None, help="this kiosk's name if the code names none")
    p.set_defaults(func=_enrol)

    p = sub.add_parser(
        "agent", help="the kiosk runtime without the touchscreen (heartbeat, outbox, commands)"
    )
    p.add_argument("--config", default=DEFAULT_CONFIG, help="kiosk.toml (default: %(default)s)")
    p.set_defaults(func=_agent)

    p = sub.add_parser("catalogue", help="service catalogue tools")
    csub = p.add_subparsers(dest="catalogue_command", metavar="ACTION")
    c = csub.add_parser("check", help="check every service file; exit 1 on any problem")
    c.add_argument("dir", nargs="?", default="config/services", help="default: %(default)s")
    c.set_defaults(func=_catalogue_check)

    p = sub.add_parser(
        "emulate",
        help="run one device emulator; prints its port URL first",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EMULATE_EPILOG,
    )
    p.add_argument("device", help="receipt-printer, card-reader, scanner or scanner-ssi")
    p.add_argument("--fault", action="append", metavar="NAME", help="switch on a fault (repeat)")
    p.add_argument("--baud", type=int, default=None, help="throttle the line to this baud rate")
    p.add_argument("--link", default=None, help="also expose the port at this stable path")
    p.set_defaults(func=_emulate)

    p = sub.add_parser("devices", help="configured devices, their state and last status")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_devices)

    p = sub.add_parser("bundle", help="the configuration bundle running, the previous and staged")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_bundle)

    p = sub.add_parser("diagnose", help="health of devices, central link, outbox and disk")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--level", choices=["internal", "external"], default="internal")
    p.add_argument("--json", action="store_true")
    p.add_argument("--report", metavar="F.pdf", default=None, help="write a readiness report")
    p.set_defaults(func=_diagnose)

    p = sub.add_parser("outbox", help="what is waiting to be sent to central")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_outbox)

    p = sub.add_parser(
        "badge-pin",
        help="set the PIN of a staff or technician badge (stored hashed on this kiosk)",
    )
    p.add_argument("badge", help="the badge number with its prefix, e.g. TEC000042")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--stdin", action="store_true", help="read the PIN from stdin (no prompt)")
    p.add_argument("--remove", action="store_true", help="remove the badge's PIN")
    p.set_defaults(func=_badge_pin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
