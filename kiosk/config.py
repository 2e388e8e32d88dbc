"""The kiosk's configuration (``config/kiosk.toml``): who this kiosk is, where its data and devices are.

:func:`load_kiosk_config` reads the file once at start-up and returns a frozen :class:`KioskConfig`.
Every problem in the file is reported at once, each with the file, the line and the key
("kiosk.toml:31: peripherals[1].driver: unknown driver 'epson'; expected one of …"), because a
kiosk that refuses to start should say everything that is wrong in one go.

Secrets never live in the file: ``${NAME}`` / ``${NAME:-default}`` pulls any string from the
environment, and the device token is read on demand by :meth:`KioskConfig.device_token` from
``$KIOSK_DEVICE_TOKEN`` or the token file; it is never part of ``repr()`` or a log line.

Exception tree::

    ValueError
     └── ConfigError   (.problems: list[ConfigProblem(file, line, key, message)])
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalogue.model import LANGUAGES
from catalogue.opening_hours import ALWAYS, HoursError, OpeningHours, parse_hours
from kiosk.config_checks import Checker, ConfigError, ConfigProblem
from kiosk.config_peripherals import DRIVERS, PeripheralConfig, read_peripherals
from kiosk.config_source import locate_keys, parse_toml, substitute_env
from kiosk.runtime.watchdog import WatchdogSettings

__all__ = [
    "DRIVERS",
    "TOKEN_ENV",
    "BadgeConfig",
    "ConfigError",
    "ConfigProblem",
    "IdleConfig",
    "KioskConfig",
    "OfficeConfig",
    "PeripheralConfig",
    "ScreenConfig",
    "load_kiosk_config",
]

TOKEN_ENV = "KIOSK_DEVICE_TOKEN"
WCAG_MIN_RESPOND_S = 20
"""WCAG 2.2.1 (Timing Adjustable): at least 20 seconds to ask for more time."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOP_KEYS = [
    "kiosk_id",
    "office",
    "languages",
    "default_language",
    "central_url",
    "device_token_file",
    "data_dir",
    "catalogue_dir",
    "timezone",
    "idle",
    "screen",
    "badges",
    "peripherals",
    "watchdog",
]


@dataclass(frozen=True)
class OfficeConfig:
    id: str
    name: str
    hours: OpeningHours = ALWAYS
    """Opening hours (``[office] hours``): the display never blanks while open, sleeps outside."""


@dataclass(frozen=True)
class IdleConfig:
    """Seconds of no touch before the warning, then seconds the citizen has to ask for more time.

    The wipe comes ``respond_s`` after the warning appeared, so ``wipe_after_s`` is derived rather
    than configured: two independent numbers could leave the citizen less than 20 s to respond.
    """

    warning_after_s: float = 60.0
    respond_s: float = 30.0
    goodbye_s: float = 8.0
    """How long the "thank you" screen stays before the kiosk returns to the attract screen."""

    def __post_init__(self) -> None:
        if self.respond_s < WCAG_MIN_RESPOND_S:
            raise ValueError(f"respond_s must be at least {WCAG_MIN_RESPOND_S} s (WCAG 2.2.1)")
        if self.warning_after_s <= 0 or self.goodbye_s <= 0:
            raise ValueError("warning_after_s and goodbye_s must be positive")

    @property
    def wipe_after_s(self) -> float:
        return self.warning_after_s + self.respond_s


@dataclass(frozen=True)
class ScreenConfig:
    """Physical size of the display, so screens can size touch targets in millimetres (≥ 9 mm)."""

    resolution: tuple[int, int] = (1920, 1080)
    diagonal_in: float | None = 21.5
    width_mm: float | None = None

    @property
    def physical_width_mm(self) -> float:
        if self.width_mm is not None:
            return self.width_mm
        w, h = self.resolution
        diagonal_mm = (self.diagonal_in or 0.0) * 25.4
        return diagonal_mm * w / math.hypot(w, h)

    @property
    def px_per_mm(self) -> float:
        return self.resolution[0] / self.physical_width_mm

    def px_for_mm(self, mm: float) -> int:
        """Pixels needed for ``mm`` millimetres, rounded up (a 9 mm target must not be 8.9 mm)."""
        return math.ceil(mm * self.px_per_mm)


@dataclass(frozen=True)
class BadgeConfig:
    """Badge id prefixes: a staff badge starts an assisted session, a technician's diagnostics."""

    staff_prefixes: tuple[str, ...] = ("STF",)
    technician_prefixes: tuple[str, ...] = ("TEC",)

    def classify(self, badge_id: str) -> str | None:
        """``"technician"``, ``"staff"`` or None for a badge this kiosk does not honour."""
        if any(badge_id.startswith(p) for p in self.technician_prefixes):
            return "technician"
        if any(badge_id.startswith(p) for p in self.staff_prefixes):
            return "staff"
        return None


class _Secret:
    """Holds the environment's token so that no repr, str or log of the config can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value

    def reveal(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<secret>" if self._value else "<unset>"


@dataclass(frozen=True)
class KioskConfig:
    source: Path
    kiosk_id: str
    office: OfficeConfig
    central_url: str
    data_dir: Path
    device_token_file: Path
    catalogue_dir: Path
    languages: tuple[str, ...] = ("en", "cy")
    default_language: str = "en"
    timezone: str = "Europe/London"
    idle: IdleConfig = field(default_factory=IdleConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    badges: BadgeConfig = field(default_factory=BadgeConfig)
    peripherals: tuple[PeripheralConfig, ...] = ()
    watchdog: WatchdogSettings = field(default_factory=WatchdogSettings)
    _env_token: _Secret = field(default_factory=lambda: _Secret(None), repr=False, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def peripheral(self, name: str) -> PeripheralConfig:
        for p in self.peripherals:
            if p.name == name:
                return p
        raise KeyError(name)

    def with_ports(self, ports: Mapping[str, str]) -> KioskConfig:
        """A copy with some peripherals' ports replaced (``--simulate`` puts emulator ports here)."""
        unknown = set(ports) - {p.name for p in self.peripherals}
        if unknown:
            raise KeyError(f"no peripheral named {sorted(unknown)}")
        return replace(
            self,
            peripherals=tuple(replace(p, port=ports.get(p.name, p.port)) for p in self.peripherals),
        )

    def device_token(self) -> str:
        """The token this kiosk presents to central: ``$KIOSK_DEVICE_TOKEN``, else the token file.

        Raises :class:`ConfigError` (naming the file, never the token) when neither gives one.
        """
        from_env = self._env_token.reveal()
        if from_env:
            return from_env
        key = "device_token_file"
        try:
            token = self.device_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            message = f"cannot read {self.device_token_file} ({reason}) and ${TOKEN_ENV} is not set"
            raise ConfigError([ConfigProblem(str(self.source), None, key, message)]) from None
        if not token:
            message = f"{self.device_token_file} is empty and ${TOKEN_ENV} is not set"
            raise ConfigError([ConfigProblem(str(self.source), None, key, message)])
        return token


def _check_url(check: Checker, value: str | None) -> str:
    path = ("central_url",)
    if value is None:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        check.problem(path, f"expected an http:// or https:// URL with a host, got {value!r}")
    elif parts.username or parts.password:
        check.problem(path, "must not contain credentials; the device token authenticates")
    elif parts.query or parts.fragment:
        check.problem(path, "must not have a query or fragment")
    else:
        try:
            _ = parts.port
        except ValueError:
            check.problem(path, f"port is not a number in {value!r}")
    return value.rstrip("/")


def _read_idle(check: Checker, doc: Mapping[str, Any]) -> IdleConfig:
    p = ("idle",)
    table = check.table(doc, (), "idle") or {}
    rest = {k: v for k, v in table.items() if k != "wipe_after_s"}
    check.known_keys(rest, p, ["warning_after_s", "respond_s", "goodbye_s"])
    if "wipe_after_s" in table:  # a reason instead of a generic "unknown key"
        check.problem(p + ("wipe_after_s",), "is derived (warning_after_s + respond_s); remove it")
    d = IdleConfig()
    warn = check.number(table, p, "warning_after_s", d.warning_after_s, low=10, high=3600)
    respond = check.number(
        table,
        p,
        "respond_s",
        d.respond_s,
        low=WCAG_MIN_RESPOND_S,
        high=600,
        why_low="WCAG 2.2.1: at least 20 s to ask for more time",
    )
    goodbye = check.number(table, p, "goodbye_s", d.goodbye_s, low=1, high=120)
    return IdleConfig(warn or d.warning_after_s, respond or d.respond_s, goodbye or d.goodbye_s)


def _read_screen(check: Checker, doc: Mapping[str, Any]) -> ScreenConfig:
    p = ("screen",)
    table = check.table(doc, (), "screen") or {}
    check.known_keys(table, p, ["diagonal_in", "width_mm", "resolution"])
    d = ScreenConfig()
    res = table.get("resolution", list(d.resolution))
    if not (isinstance(res, list) and len(res) == 2 and all(type(v) is int and v > 0 for v in res)):
        check.problem(p + ("resolution",), f"expected [width_px, height_px], got {res!r}")
        res = list(d.resolution)
    diagonal = check.number(table, p, "diagonal_in", None, low=7, high=100)
    width = check.number(table, p, "width_mm", None, low=100, high=3000)
    if diagonal is None and width is None:
        diagonal = d.diagonal_in
    return ScreenConfig((res[0], res[1]), diagonal, width)


def _read_watchdog(check: Checker, doc: Mapping[str, Any]) -> WatchdogSettings:
    p = ("watchdog",)
    table = check.table(doc, (), "watchdog") or {}
    keys = ["memory_budget_mb", "crash_restarts", "crash_window_min"]
    check.known_keys(table, p, keys)
    values = {k: table[k] for k in keys if isinstance(table.get(k), int | float)}
    try:
        return WatchdogSettings(**values)
    except (TypeError, ValueError) as exc:
        check.problem(p, str(exc))
        return WatchdogSettings()


def _read_hours(check: Checker, table: Mapping[str, Any], timezone: str) -> OpeningHours:
    try:
        return parse_hours(table.get("hours"), timezone, "office.hours")
    except (HoursError, ValueError) as exc:
        check.problem(("office", "hours"), str(exc))
        return ALWAYS


def _read_badges(check: Checker, doc: Mapping[str, Any]) -> BadgeConfig:
    p = ("badges",)
    table = check.table(doc, (), "badges") or {}
    check.known_keys(table, p, ["staff_prefixes", "technician_prefixes"])
    d = BadgeConfig()
    staff = check.str_list(table, p, "staff_prefixes", list(d.staff_prefixes)) or []
    tech = check.str_list(table, p, "technician_prefixes", list(d.technician_prefixes)) or []
    for s in staff:
        for t in tech:
            if s.startswith(t) or t.startswith(s):
                check.problem(p, f"staff prefix {s!r} and technician prefix {t!r} overlap")
    return BadgeConfig(tuple(staff), tuple(tech))


def _read_languages(check: Checker, doc: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    langs = check.str_list(doc, (), "languages", list(LANGUAGES)) or []
    for i, lang in enumerate(langs):
        if lang not in LANGUAGES:
            check.problem(
                ("languages", i),
                f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}",
            )
    if len(set(langs)) != len(langs):
        check.problem(("languages",), "lists a language twice")
    if not langs:
        check.problem(("languages",), "needs at least one language")
    default = check.str_(doc, (), "default_language", langs[0] if langs else "en")
    if default is not None and langs and default not in langs:
        check.problem(("default_language",), f"{default!r} is not in languages {langs}")
    return tuple(langs) or LANGUAGES, default or "en"


def _path(check: Checker, doc: Mapping[str, Any], key: str, base: Path, default: Any) -> Path:
    value = check.str_(doc, (), key, default)
    return (base / value).resolve() if value else base


def load_kiosk_config(path: str | Path, env: Mapping[str, str] | None = None) -> KioskConfig:
    """Read and check ``path``; raise :class:`ConfigError` listing every problem found.

    ``env`` defaults to ``os.environ``; it feeds ``${NAME}`` substitution and the device token.
    Relative paths in the file resolve against the file's folder, not the current directory.
    """
    env = os.environ if env is None else env
    source = Path(path)
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(name, None, "", f"cannot read: {exc.strerror or exc}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigProblem(name, None, "", f"not UTF-8 text ({exc.reason})")]
        ) from None
    doc, line, message = parse_toml(text)
    if doc is None:
        raise ConfigError([ConfigProblem(name, line, "", message or "not valid TOML")])

    check = Checker(name, locate_keys(text))
    doc = substitute_env(
        doc,
        env,
        lambda where, var: check.problem(
            where,
            f"environment variable ${{{var}}} is not set (write ${{{var}:-default}} for a fallback)",
        ),
    )
    check.known_keys(doc, (), _TOP_KEYS)
    base = source.resolve().parent

    kiosk_id = check.str_(doc, (), "kiosk_id")
    if kiosk_id is not None and not _ID.match(kiosk_id):
        check.problem(
            ("kiosk_id",),
            "use letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit",
        )
    office_table = check.table(doc, (), "office", required=True)
    office = OfficeConfig("", "")
    if office_table is not None:
        check.known_keys(office_table, ("office",), ["id", "name", "hours"])
        office = OfficeConfig(
            check.str_(office_table, ("office",), "id") or "",
            check.str_(office_table, ("office",), "name") or "",
        )
    languages, default_language = _read_languages(check, doc)
    central_url = _check_url(check, check.str_(doc, (), "central_url"))
    data_dir = _path(check, doc, "data_dir", base, None)
    if "data_dir" not in doc:
        check.problem(
            ("data_dir",), "required key is missing (where the outbox and device statistics live)"
        )
    token_file = _path(check, doc, "device_token_file", base, str(data_dir / "device-token"))
    catalogue_dir = _path(check, doc, "catalogue_dir", base, "services")
    timezone = check.str_(doc, (), "timezone", "Europe/London") or "Europe/London"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        check.problem(("timezone",), f"unknown time zone {timezone!r} (e.g. 'Europe/London')")
        timezone = "Europe/London"
    if office_table is not None:
        office = replace(office, hours=_read_hours(check, office_table, timezone))
    idle = _read_idle(check, doc)
    watchdog = _read_watchdog(check, doc)
    screen = _read_screen(check, doc)
    badges = _read_badges(check, doc)
    peripherals = read_peripherals(check, doc)

    if check.problems:
        check.problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ConfigError(check.problems)
    return KioskConfig(
        source=source,
        kiosk_id=kiosk_id or "",
        office=office,
        central_url=central_url,
        data_dir=data_dir,
        device_token_file=token_file,
        catalogue_dir=catalogue_dir,
        languages=languages,
        default_language=default_language,
        timezone=timezone,
        idle=idle,
        screen=screen,
        badges=badges,
        peripherals=peripherals,
        watchdog=watchdog,
        _env_token=_Secret(env.get(TOKEN_ENV) or None),
    )
