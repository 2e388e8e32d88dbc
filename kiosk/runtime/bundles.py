"""Signed configuration bundles on the kiosk (issue 14 item 3): verify, stage, apply between sessions.

Why: central may change a few settings (idle timeouts, enabled services, texts) and the catalogue
of every kiosk; a kiosk must take only what central's key signed, never go back to an older
version, never change under a citizen's hands, and never be left half-written by a power cut.

* Verify (:meth:`BundleStore.verify`): the Ed25519 signature over the payload's exact UTF-8 bytes,
  with the public key pinned on this kiosk (``bundle-key.pub`` in its data directory, put there at
  enrolment or by the installer) — a bundle signed by any other key fails like a tampered one.
  The version must be above the one running and any one staged. Expiry: valid while central's time,
  as stated in the same answer that carried the bundle (else this kiosk's clock), lies within
  ``[issued_at - SKEW_S, expires_at + SKEW_S]``, so a kiosk clock hours off breaks nothing.
  The settings must be ones this kiosk can apply, with values it accepts (``IdleConfig``'s own
  checks: at least 20 s to respond).
* Stage: the files are written into a fresh temporary folder, each fsynced, the folder renamed to
  ``versions/N`` and the parent fsynced; only then does the ``pending`` link point at it. A kill
  before the rename leaves a temporary folder (removed at the next start) and the old bundle.
* Apply (:meth:`BundleStore.apply_pending`), only when no session is open: the ``current`` link is
  replaced by one to the staged version (``os.replace`` of a link: atomic), ``previous`` keeps the
  one before, older versions are removed.

A refused bundle is reported to central (:class:`BundleSync`) once per version and the kiosk keeps
running the one it has; one whose settings this kiosk cannot apply is reported as ``failed``, which
halts and rolls back a rollout at its canaries. Failure model: every error of the channel is logged as its type only
and retried on the next tick; the bundle's content is never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.config import KioskConfig
from kiosk.link.client import CentralClient

__all__ = [
    "BundleRefused",
    "BundleStore",
    "BundleSync",
    "Installed",
    "apply_settings",
    "configured",
    "store_for",
    "sync_for",
]

log = logging.getLogger(__name__)

SKEW_S = 300
KEY_FILE = "bundle-key.pub"
IDLE_KEYS = {"idle.warning_after_s", "idle.respond_s", "idle.goodbye_s"}
OTHER_KEYS = {"services.enabled", "texts.attract_notice", "texts.out_of_hours"}


class BundleRefused(ValueError):
    """Why a bundle was not taken: ``signature``, ``older``, ``expired``, ``not_yet_valid``,
    ``malformed`` or ``settings``, with a short detail for central (no content)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def apply_settings(config: KioskConfig, settings: Mapping[str, Any]) -> KioskConfig:
    """``config`` with a bundle's settings applied; :class:`BundleRefused` for any this kiosk
    cannot apply or whose value it does not accept."""
    unknown = sorted(set(settings) - IDLE_KEYS - OTHER_KEYS)
    if unknown:
        raise BundleRefused("settings", f"not applicable here: {', '.join(unknown)[:150]}")
    idle = {k.removeprefix("idle."): v for k, v in settings.items() if k in IDLE_KEYS}
    if not idle:
        return config
    try:
        return replace(config, idle=replace(config.idle, **{k: float(v) for k, v in idle.items()}))
    except (TypeError, ValueError) as exc:
        raise BundleRefused("settings", str(exc)[:150]) from None


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Installed:
    version: int
    settings: dict[str, Any]
    path: Path

    @property
    def catalogue_dir(self) -> Path | None:
        folder = self.path / "catalogue"
        return folder if folder.is_dir() else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


class BundleStore:
    """The bundles under ``root``: ``versions/N``, and the links ``current``, ``previous`` and
    ``pending``. ``check`` validates settings (:func:`store_for`: that this kiosk's configuration
    takes them); ``rename`` is injected so a test can fail it like a kill before the rename."""

    def __init__(
        self,
        root: Path,
        public_key: Ed25519PublicKey,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        check: Callable[[Mapping[str, Any]], object] | None = None,
        rename: Callable[[Path, Path], None] = os.rename,
    ) -> None:
        self.root = root
        self.versions = root / "versions"
        self.versions.mkdir(parents=True, exist_ok=True)
        self.public_key = public_key
        self.clock = clock
        self.check = check
        self.rename = rename
        for stale in self.versions.glob(".tmp-*"):  # a kill between write and rename
            shutil.rmtree(stale, ignore_errors=True)

    def _link(self, name: str) -> Installed | None:
        link = self.root / name
        if not link.is_symlink():
            return None
        path = self.root / os.readlink(link)
        try:
            payload = json.loads((path / "payload.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Installed(int(payload["version"]), dict(payload.get("settings", {})), path)

    def current(self) -> Installed | None:
        return self._link("current")

    def previous(self) -> Installed | None:
        return self._link("previous")

    def pending(self) -> Installed | None:
        return self._link("pending")

    def version(self) -> int | None:
        found = self.current()
        return found.version if found else None

    def verify(
        self, wire: Mapping[str, Any], central_now: datetime | None = None
    ) -> dict[str, Any]:
        """The payload of a bundle as served, once every rule holds; else :class:`BundleRefused`."""
        text, signature = wire.get("payload"), wire.get("signature")
        if not isinstance(text, str) or not isinstance(signature, str):
            raise BundleRefused("malformed", "payload and signature are required")
        try:
            self.public_key.verify(base64.b64decode(signature, validate=True), text.encode("utf-8"))
        except (InvalidSignature, binascii.Error, ValueError):
            raise BundleRefused("signature", "does not verify with the pinned key") from None
        try:
            payload = json.loads(text)
            version = payload["version"]
            issued, expires = _parse_time(payload["issued_at"]), _parse_time(payload["expires_at"])
            settings = payload.get("settings", {})
        except (ValueError, KeyError, TypeError):
            raise BundleRefused("malformed", "signed but not a bundle") from None
        if not isinstance(version, int) or version != wire.get("version"):
            raise BundleRefused("malformed", "version differs from the signed one")
        newest = max((i.version for i in (self.current(), self.pending()) if i), default=0)
        if version <= newest:
            raise BundleRefused("older", f"{version} is not above {newest}")
        now = central_now or self.clock()
        skew = timedelta(seconds=SKEW_S)
        if now > expires + skew:
            raise BundleRefused("expired", f"expired {expires.isoformat()}")
        if now < issued - skew:
            raise BundleRefused("not_yet_valid", f"issued {issued.isoformat()}")
        if not isinstance(settings, dict):
            raise BundleRefused("malformed", "settings")
        if self.check is not None:
            self.check(settings)
        return payload

    def stage(self, wire: Mapping[str, Any], central_now: datetime | None = None) -> int:
        """Verify and write the bundle durably; it becomes ``pending``. Returns its version."""
        payload = self.verify(wire, central_now)
        version = payload["version"]
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.versions))
        try:
            _write(tmp / "payload.json", wire["payload"].encode("utf-8"))
            _write(tmp / "signature", wire["signature"].encode())
            catalogue = payload.get("catalogue") or {}
            if catalogue:
                (tmp / "catalogue").mkdir()
                for name, body in catalogue.items():
                    if "/" in name or name.startswith(".") or not name.endswith(".toml"):
                        raise BundleRefused("malformed", "catalogue file name")
                    _write(tmp / "catalogue" / name, body.encode("utf-8"))
                _fsync_dir(tmp / "catalogue")
            _fsync_dir(tmp)
            final = self.versions / str(version)
            if final.exists():
                shutil.rmtree(final)
            self.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(self.versions)
        self._point("pending", f"versions/{version}")
        return version

    def _point(self, name: str, target: str) -> None:
        tmp = self.root / f".{name}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, self.root / name)
        _fsync_dir(self.root)

    def apply_pending(self, in_session: bool) -> Installed | None:
        """Make the staged bundle current — only when no session is open; returns it."""
        staged = self.pending()
        if staged is None or in_session:
            return None
        running = self.current()
        if running is not None:
            self._point("previous", f"versions/{running.path.name}")
        self._point("current", f"versions/{staged.path.name}")
        (self.root / "pending").unlink(missing_ok=True)
        keep = {staged.path.name} | ({running.path.name} if running else set())
        for old in self.versions.iterdir():
            if old.name not in keep and not old.name.startswith(".tmp-"):
                shutil.rmtree(old, ignore_errors=True)
        return staged


def store_for(config: KioskConfig, **options: Any) -> BundleStore:
    """The store of ``config``'s kiosk: ``<data_dir>/bundles``, the key pinned at
    ``<data_dir>/bundle-key.pub``, settings checked against this kiosk's configuration."""
    key = load_public_key(config.data_dir / KEY_FILE)
    return BundleStore(config.data_dir / "bundles", key,
                       check=lambda settings: apply_settings(config, settings), **options)  # fmt: skip


class BundleChannel(Protocol):
    def fetch_bundle(self, have: int | None) -> dict[str, Any]: ...

    def report_bundle(self, body: dict[str, Any]) -> None: ...


class BundleClient(CentralClient):
    """The bundle calls of the central client."""

    def fetch_bundle(self, have: int | None) -> dict[str, Any]:
        query = "" if have is None else f"?have={int(have)}"
        return self._json("GET", f"/devices/bundle{query}", retry=False)

    def report_bundle(self, body: dict[str, Any]) -> None:
        self._json("POST", "/devices/bundle/report", body, retry=False)


class BundleSync:
    """One tick per heartbeat: apply what is staged if no session is open, ask central for the
    version this kiosk should run (saying which it runs), stage a newer one or report a refusal."""

    def __init__(
        self,
        store: BundleStore,
        channel: BundleChannel,
        in_session: Callable[[], bool],
        on_applied: Callable[[Installed], None] | None = None,
    ) -> None:
        self.store = store
        self.channel = channel
        self.in_session = in_session
        self.on_applied = on_applied
        self.reported: set[int] = set()

    def _apply(self) -> None:
        applied = self.store.apply_pending(self.in_session())
        if applied is not None:
            log.info("configuration bundle %d applied", applied.version)
            if self.on_applied is not None:
                self.on_applied(applied)

    def tick(self) -> None:
        self._apply()
        try:
            answer = self.channel.fetch_bundle(self.store.version())
        except Exception as exc:  # noqa: BLE001 - asked again on the next tick
            log.info("bundle poll failed (%s)", type(exc).__name__)
            return
        bundle = answer.get("bundle") if isinstance(answer, dict) else None
        if isinstance(bundle, dict):
            self._take(bundle, answer.get("now"))
        self._apply()

    def _take(self, bundle: dict[str, Any], said_now: Any) -> None:
        try:
            central_now = _parse_time(said_now) if isinstance(said_now, str) else None
        except ValueError:
            central_now = None
        version = bundle.get("version")
        staged = self.store.pending()
        if staged is not None and staged.version == version:
            return  # already staged: waits for the session to end
        try:
            self.store.stage(bundle, central_now)
            return
        except BundleRefused as exc:
            refusal = exc
        except OSError as exc:  # a full disk or a failed rename: the old bundle stays
            log.warning("bundle %s not written (%s)", version, type(exc).__name__)
            return
        log.warning("bundle %s refused (%s)", version, refusal.reason)
        about = version if isinstance(version, int) and version >= 0 else None
        if about in self.reported:
            return
        # Signed and fresh but not applicable here: the bundle is bad for this kiosk (a failure a
        # canary's rollout halts on); anything else is a refusal of what was served.
        status = "failed" if refusal.reason == "settings" else "refused"
        body = {"version": self.store.version(), "status": status, "about": about,
                "detail": str(refusal)[:200]}  # fmt: skip
        try:
            self.channel.report_bundle(body)
            if about is not None:
                self.reported.add(about)
        except Exception as exc:  # noqa: BLE001 - reported on a later tick
            log.info("bundle refusal not reported (%s)", type(exc).__name__)


def configured(config: KioskConfig) -> KioskConfig:
    """``config`` with the settings of the bundle this kiosk runs (applied at start), or as it is
    when no key is pinned or no bundle is installed. A bundle that no longer applies (the local
    file changed under it) is said once in the log and left out: the kiosk starts either way."""
    try:
        current = store_for(config).current()
    except (OSError, ValueError):
        return config  # no key pinned: no bundle is ever taken (sync_for says so)
    if current is None:
        return config
    try:
        return apply_settings(config, current.settings)
    except (ValueError, TypeError) as exc:
        log.warning("bundle %d not applied at start: %s", current.version, type(exc).__name__)
        return config


def sync_for(
    config: KioskConfig, token: str, in_session: Callable[[], bool],
    on_applied: Callable[[Installed], None] | None = None,
) -> BundleSync | None:  # fmt: skip
    """The bundle sync of a running kiosk (the fleet agent's ``bundles`` tick), or None — said once
    in the log — when no public key is pinned: such a kiosk takes no bundle at all."""
    if not (config.data_dir / KEY_FILE).exists():
        log.info("no configuration bundles: no %s pinned in the data directory", KEY_FILE)
        return None  # a kiosk managed by its file alone: nothing wrong
    try:
        store = store_for(config)
    except (OSError, ValueError) as exc:
        log.warning("no configuration bundles: %s not usable (%s)", KEY_FILE, type(exc).__name__)
        return None
    client = BundleClient(config.central_url, token, timeout_s=10, retries=0)
    return BundleSync(store, client, in_session, on_applied)


def bundle_command(config_path: str, as_json: bool) -> int:
    """``kiosk bundle [--json]``: the bundle running, the one before it and one staged (waiting for
    the session to end). Exit 0; 2 on a configuration problem; 1 when no public key is pinned."""
    import sys

    from kiosk.config import ConfigError, load_kiosk_config

    try:
        config = load_kiosk_config(config_path)
    except ConfigError as exc:
        print(f"kiosk: configuration problem(s):\n{exc}", file=sys.stderr)
        return 2
    try:
        store = store_for(config)
    except (OSError, ValueError) as exc:
        print(
            f"kiosk: no bundles: {config.data_dir / KEY_FILE} ({type(exc).__name__})",
            file=sys.stderr,
        )
        return 1
    found = {name: getattr(store, name)() for name in ("current", "previous", "pending")}
    shown = {name: None if i is None else {"version": i.version, "settings": i.settings}
             for name, i in found.items()}  # fmt: skip
    if as_json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    for name, item in shown.items():
        print(f"{name:9} {'none' if item is None else 'version ' + str(item['version'])}")
    return 0
