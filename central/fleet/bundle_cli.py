"""``kiosk-central bundles ...``: signed configuration bundles and their rollout from a terminal.

* ``bundles keygen FILE``: a new Ed25519 signing key (mode 0600) and its public key beside it
  (``FILE.pub``, to pin on every kiosk).
* ``bundles publish --settings F.json [--catalogue DIR] [--canary ID]...``: sign a new version and
  start its rollout at the canaries. Keys outside the remote-changeable list are refused (exit 1).
* ``bundles status [--json]``: the newest rollouts and every kiosk's version (runs the automatic
  check first, so a regression seen by no poll yet is acted on).
* ``bundles promote [--all]``, ``bundles halt --reason R``, ``bundles rollback --reason R``.

Every act is audited with the actor ``cli``. The signing key is read from ``--key`` or
``$KIOSK_CENTRAL_BUNDLE_KEY`` only when something is signed; neither it nor its path's content is
ever printed. Exit 0 done, 1 refused, 2 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from central.commands import NOT_MIGRATED, add_db_option, fail, migrated_engine


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = subparsers.add_parser("bundles", help="signed configuration bundles and their rollout")
    sub = top.add_subparsers(dest="bundles_command", metavar="ACTION", required=True)

    keygen = sub.add_parser("keygen", help="a new Ed25519 signing key (FILE) and FILE.pub")
    keygen.add_argument("file", type=Path)
    keygen.set_defaults(func=run_keygen)

    publish = sub.add_parser("publish", help="sign a new version; start it at the canaries")
    _common(publish, key=True)
    publish.add_argument("--settings", type=Path, required=True, help="JSON of remote settings")
    publish.add_argument("--catalogue", type=Path, default=None, help="a folder of *.toml")
    publish.add_argument("--canary", action="append", default=None, help="a canary kiosk id")
    publish.add_argument("--window-min", type=int, default=30, help="canary watch (minutes)")
    publish.set_defaults(func=run_publish)

    status = sub.add_parser("status", help="rollouts and every kiosk's version")
    _common(status, key=True)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=run_status)

    promote = sub.add_parser("promote", help="the next ring (or --all)")
    _common(promote)
    promote.add_argument("--all", action="store_true", help="every kiosk at once")
    promote.set_defaults(func=run_promote)

    for name, helptext in (("halt", "stop spreading"), ("rollback", "everyone back")):
        cmd = sub.add_parser(name, help=helptext)
        _common(cmd, key=name == "rollback")
        cmd.add_argument("--reason", default="by hand")
        cmd.set_defaults(func=run_halt if name == "halt" else run_rollback)


def _common(cmd: argparse.ArgumentParser, key: bool = False) -> None:
    add_db_option(cmd)
    if key:
        cmd.add_argument("--key", type=Path, default=None, help="the signing key (PEM)")


def run_keygen(args: argparse.Namespace) -> int:
    from central.fleet.bundles import Signer, new_key_pem

    path: Path = args.file
    if path.exists():
        return fail(f"{path} exists: not overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(new_key_pem())
    signer = Signer.from_file(path)
    public = path.with_name(path.name + ".pub")
    public.write_text(signer.public_pem(), encoding="utf-8")
    print(f"signing key {path} (key id {signer.key_id}); pin {public} on every kiosk")
    return 0


def _signer(args: argparse.Namespace) -> Any:
    from central.fleet.bundles import Signer
    from central.settings import Settings

    return lambda: Signer.from_file(args.key or Settings.from_env().bundle_key_file)


def _act(args: argparse.Namespace, action: Any) -> int:
    """Run ``action(session, now)`` in one transaction; refusals exit 1 with the reason."""
    from central.db.base import make_sessionmaker
    from central.db.types import utcnow
    from central.fleet.bundles import BundleRefused, KeyUnavailable

    with migrated_engine(args) as engine:
        if engine is None:
            fail(NOT_MIGRATED)
            return 2
        with make_sessionmaker(engine)() as session:
            try:
                said = action(session, utcnow())
            except (BundleRefused, KeyUnavailable) as exc:
                session.rollback()
                return fail(str(exc))
            session.commit()
    if said:
        print(said)
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from central.fleet import rollout

    try:
        settings = json.loads(args.settings.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return fail(f"cannot read the bundle's content: {exc}")
    if not isinstance(settings, dict):
        return fail("--settings must hold a JSON object of remote settings")
    signer = _signer(args)

    def act(session: Any, now: Any) -> str:
        made = rollout.publish_from(session, signer(), settings, args.catalogue, "cli", now,
                                    args.canary, timedelta(minutes=max(1, args.window_min)))  # fmt: skip
        return f"published version {made.version} to {len(made.canaries)} canary kiosk(s)"

    return _act(args, act)


def run_promote(args: argparse.Namespace) -> int:
    from central.fleet import rollout

    def act(session: Any, now: Any) -> str:
        made = rollout.promote(session, "cli", now, to_all=args.all)
        session.refresh(made)
        return f"version {made.version}: stage {made.stage} ({made.state})"

    return _act(args, act)


def run_halt(args: argparse.Namespace) -> int:
    from central.fleet import rollout

    return _act(args, lambda s, now: f"halted {rollout.halt(s, 'cli', now, args.reason).version}")


def run_rollback(args: argparse.Namespace) -> int:
    from central.fleet import rollout

    signer = _signer(args)
    return _act(args, lambda s, now: "rolled back: every kiosk gets version "
                f"{rollout.rollback(s, signer(), 'cli', now, args.reason)}")  # fmt: skip


def run_status(args: argparse.Namespace) -> int:
    from central.fleet import rollout

    out: dict[str, Any] = {}

    def act(session: Any, now: Any) -> None:
        rollout.check(session, _signer(args), now)
        out["rollouts"] = [
            {"version": r.version, "state": r.state, "stage": r.stage, "previous": r.previous,
             "canaries": list(r.canaries or []), "reason": r.reason}
            for r in rollout.history(session)
        ]  # fmt: skip
        out["kiosks"] = [
            {"device_id": k.id, "name": k.name, "office": k.office, "version": k.version,
             "status": k.status, "refused_version": k.refused_version}
            for k in rollout.kiosks(session)
        ]  # fmt: skip

    code = _act(args, act)
    if code:
        return code
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    for r in out["rollouts"]:
        print(
            f"version {r['version']:4d}  {r['state']:11s} stage {r['stage']}  {r['reason'] or ''}"
        )
    for k in out["kiosks"]:
        extra = f"  {k['status']} {k['refused_version']}" if k["status"] not in (None, "ok") else ""
        version = k["version"] if k["version"] is not None else "-"
        print(f"{k['device_id']}  {k['office']:12s} bundle {version}{extra}")
    return 0
