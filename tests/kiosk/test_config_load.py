"""Loading kiosk.toml: the shipped file, defaults, paths, ${ENV} substitution, the device token."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, KioskConfig, load_kiosk_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "kiosk.toml"

MINIMAL = """\
kiosk_id = "cdf-01"
central_url = "https://central.example.gov.uk/"
data_dir = "data"

[office]
id = "cardiff"
name = "Cardiff Jobcentre"
"""


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_loads_with_emulated_devices() -> None:
    config = load_kiosk_config(SHIPPED, env={})
    assert config.kiosk_id == "demo-kiosk-01"
    assert config.central_url == "http://127.0.0.1:8080"
    assert config.languages == ("en", "cy")
    assert config.catalogue_dir == ROOT / "config" / "services"
    assert config.data_dir == ROOT / "var" / "kiosk"
    assert config.idle.respond_s >= 20
    drivers = {p.driver for p in config.peripherals}
    assert drivers == {"escpos", "cups", "magstripe", "scanner"}
    assert all(p.emulated for p in config.peripherals)
    assert config.peripheral("receipt-printer").options["baud"] == 19200


def test_the_shipped_config_takes_its_urls_from_the_environment() -> None:
    config = load_kiosk_config(
        SHIPPED, env={"KIOSK_CENTRAL_URL": "https://c.example/", "KIOSK_ID": "k-9"}
    )
    assert (config.central_url, config.kiosk_id) == ("https://c.example", "k-9")


def test_defaults_and_paths_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    config = load_kiosk_config(write(tmp_path, MINIMAL), env={})
    assert isinstance(config, KioskConfig)
    assert config.data_dir == tmp_path.resolve() / "data"
    assert config.device_token_file == tmp_path.resolve() / "data" / "device-token"
    assert config.catalogue_dir == tmp_path.resolve() / "services"
    assert config.central_url == "https://central.example.gov.uk"
    assert (config.languages, config.default_language) == (("en", "cy"), "en")
    assert (config.idle.warning_after_s, config.idle.respond_s, config.idle.wipe_after_s) == (
        60,
        30,
        90,
    )
    assert config.office.name == "Cardiff Jobcentre"
    assert config.peripherals == ()
    assert config.tz.key == "Europe/London"


def test_env_substitution_with_defaults_and_dollar_escape(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('"cdf-01"', '"${SITE}-${NUM:-07}"')
        + '\n[badges]\nstaff_prefixes = ["$$S"]\n'
    )
    config = load_kiosk_config(write(tmp_path, text), env={"SITE": "cdf"})
    assert config.kiosk_id == "cdf-07"
    assert config.badges.staff_prefixes == ("$S",)


def test_device_token_comes_from_the_environment_first_then_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "device-token").write_text("file-token-abc\n", encoding="utf-8")
    assert load_kiosk_config(path, env={}).device_token() == "file-token-abc"
    config = load_kiosk_config(path, env={"KIOSK_DEVICE_TOKEN": "env-token-xyz"})
    assert config.device_token() == "env-token-xyz"
    assert "env-token-xyz" not in repr(config) and "env-token-xyz" not in str(config)


def test_a_missing_token_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    config = load_kiosk_config(write(tmp_path, MINIMAL), env={})
    with pytest.raises(
        ConfigError,
        match=r"device_token_file: cannot read .*device-token .*KIOSK_DEVICE_TOKEN is not set",
    ):
        config.device_token()


def test_screen_size_gives_touch_targets_in_pixels(tmp_path: Path) -> None:
    text = MINIMAL + "\n[screen]\nwidth_mm = 480\nresolution = [1920, 1080]\n"
    screen = load_kiosk_config(write(tmp_path, text), env={}).screen
    assert screen.px_per_mm == 4.0
    assert screen.px_for_mm(9) == 36
    by_diagonal = load_kiosk_config(
        write(tmp_path, MINIMAL + "\n[screen]\ndiagonal_in = 21.5\n"), env={}
    ).screen
    assert 475 < by_diagonal.physical_width_mm < 477  # a 21.5" 16:9 panel is ~476 mm wide
    assert by_diagonal.px_for_mm(9) == 37


def test_badges_classify_staff_and_technicians(tmp_path: Path) -> None:
    text = MINIMAL + '\n[badges]\nstaff_prefixes = ["S-", "H-"]\ntechnician_prefixes = ["T-"]\n'
    badges = load_kiosk_config(write(tmp_path, text), env={}).badges
    assert [badges.classify(b) for b in ("S-1", "H-2", "T-3", "X-4")] == [
        "staff",
        "staff",
        "technician",
        None,
    ]


def test_peripherals_accept_every_port_form(tmp_path: Path) -> None:
    ports = {
        "escpos": [
            "/dev/ttyUSB0",
            "socket://10.0.0.5:9100",
            "loop://",
            "COM3",
            "emulator:receipt-printer",
        ],
        "cups": ["Kiosk_A4", "ipp://localhost:631/printers/kiosk", "emulator:document-printer"],
        "magstripe": ["rfc2217://10.0.0.9:4000", "/dev/pts/7"],
        "scanner": ["spy://loop://"],
    }
    blocks = []
    for driver, values in ports.items():
        for i, port in enumerate(values):
            blocks.append(
                f'[[peripherals]]\nname = "{driver}-{i}"\ndriver = "{driver}"\nport = "{port}"\n'
            )
    config = load_kiosk_config(write(tmp_path, MINIMAL + "\n" + "\n".join(blocks)), env={})
    assert [p.port for p in config.peripherals] == [p for v in ports.values() for p in v]


def test_simulate_can_swap_emulator_placeholders_for_real_ports() -> None:
    config = load_kiosk_config(SHIPPED, env={"KIOSK_DEVICE_TOKEN": "tok"})
    swapped = config.with_ports({"scanner": "/dev/pts/9"})
    assert swapped.peripheral("scanner").port == "/dev/pts/9"
    assert not swapped.peripheral("scanner").emulated
    assert swapped.peripheral("receipt-printer") == config.peripheral("receipt-printer")
    assert swapped.device_token() == "tok"
    with pytest.raises(KeyError, match="fax"):
        config.with_ports({"fax": "/dev/null"})
