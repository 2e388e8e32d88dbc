"""Every problem in kiosk.toml is reported with the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, ConfigProblem, load_kiosk_config

GOOD = """\
kiosk_id = "cdf-01"
central_url = "https://central.example.gov.uk"
data_dir = "data"

[office]
id = "cardiff"
name = "Cardiff Jobcentre"

[idle]
warning_after_s = 60
respond_s = 30

[[peripherals]]
name = "receipt"
driver = "escpos"
port = "emulator:receipt-printer"

[[peripherals]]
name = "cards"
driver = "magstripe"
port = "/dev/ttyUSB1"
options = { baud = 9600 }
"""


def problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[ConfigProblem]:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path, env=env or {})
    error = caught.value
    assert str(error) == "\n".join(str(p) for p in error.problems)
    assert all(p.file == str(path) for p in error.problems)
    return error.problems


def only(found: list[ConfigProblem]) -> tuple[int | None, str, str]:
    assert len(found) == 1, found
    return found[0].line, found[0].key, found[0].message


def test_the_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_kiosk_config(path, env={}).peripherals) == 2


def test_malformed_toml_gives_the_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("respond_s = 30", "respond_s = = 30"))
    line, key, message = only(found)
    assert line == 11 and key == ""
    assert message.startswith("not valid TOML: ")
    assert str(found[0]).startswith(f"{tmp_path / 'kiosk.toml'}:11: not valid TOML")


def test_unknown_key_gives_line_and_a_did_you_mean(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("respond_s = 30", "respnd_s = 30"))
    assert only(found) == (11, "idle.respnd_s", "unknown key; did you mean 'respond_s'?")
    found = problems(
        tmp_path, GOOD.replace('driver = "magstripe"', 'driver = "magstripe"\ncolour = "red"')
    )
    assert only(found)[:2] == (21, "peripherals[1].colour")
    assert "known keys: name, driver, port, options" in only(found)[2]


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("warning_after_s = 60", 'warning_after_s = "sixty"'))
    assert only(found) == (10, "idle.warning_after_s", "expected a number, got 'sixty' (a string)")
    found = problems(tmp_path, GOOD.replace('kiosk_id = "cdf-01"', "kiosk_id = true"))
    assert only(found) == (1, "kiosk_id", "expected a string, got true (a boolean)")
    found = problems(tmp_path, GOOD.replace('data_dir = "data"', "data_dir = 5"))
    assert only(found) == (3, "data_dir", "expected a string, got 5 (a whole number)")
    text = GOOD.replace(
        '[office]\nid = "cardiff"\nname = "Cardiff Jobcentre"', 'office = "cardiff"'
    )
    assert only(problems(tmp_path, text)) == (
        5,
        "office",
        "expected a table, got 'cardiff' (a string)",
    )  # one problem, not three: the missing id/name follow from it
    found = problems(tmp_path, GOOD + '\nlanguages = "en"\n')
    assert only(found)[1:] == (
        "peripherals[1].languages",
        "unknown key; known keys: name, driver, port, options",
    )


def test_missing_required_keys_are_each_reported(tmp_path: Path) -> None:
    text = GOOD.replace('kiosk_id = "cdf-01"\n', "").replace('name = "Cardiff Jobcentre"\n', "")
    found = problems(tmp_path, text)
    assert [(p.key, p.message) for p in found] == [
        ("office.name", "required key is missing"),
        ("kiosk_id", "required key is missing"),
    ]
    assert found[0].line == 4  # the [office] table
    assert found[1].line is None and str(found[1]).endswith(
        "kiosk.toml: kiosk_id: required key is missing"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "ftp://central.example",
            "expected an http:// or https:// URL with a host, got 'ftp://central.example'",
        ),
        (
            "central.example",
            "expected an http:// or https:// URL with a host, got 'central.example'",
        ),
        (
            "https://user:pw@central.example",
            "must not contain credentials; the device token authenticates",
        ),
        ("https://central.example:port", "port is not a number in 'https://central.example:port'"),
        ("https://central.example/?x=1", "must not have a query or fragment"),
    ],
)
def test_bad_central_url(tmp_path: Path, url: str, message: str) -> None:
    found = problems(tmp_path, GOOD.replace("https://central.example.gov.uk", url))
    assert only(found) == (2, "central_url", message)


def test_respond_time_below_20_seconds_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("respond_s = 30", "respond_s = 19"))
    assert only(found) == (
        11,
        "idle.respond_s",
        "must be at least 20 (WCAG 2.2.1: at least 20 s to ask for more time), got 19",
    )


def test_wipe_after_is_derived_not_configured(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("respond_s = 30", "respond_s = 30\nwipe_after_s = 200"))
    assert only(found) == (
        12,
        "idle.wipe_after_s",
        "is derived (warning_after_s + respond_s); remove it",
    )


def test_unknown_driver_lists_the_known_ones(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('"escpos"', '"epson"'))
    line, key, message = only(found)
    assert (line, key) == (15, "peripherals[0].driver")
    assert message.startswith("unknown driver 'epson'; expected one of: escpos (receipt printer")
    assert all(d in message for d in ("cups", "magstripe", "scanner"))


def test_duplicate_peripheral_names(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('name = "cards"', 'name = "receipt"'))
    assert only(found) == (
        19,
        "peripherals[1].name",
        "duplicate peripheral name 'receipt' (first used at line 14)",
    )


def test_bad_ports_and_options(tmp_path: Path) -> None:
    text = GOOD.replace('"/dev/ttyUSB1"', '"socket://printer"').replace(
        "baud = 9600", "baud = { x = 1 }"
    )
    found = problems(tmp_path, text)
    assert [(p.line, p.key) for p in found] == [
        (21, "peripherals[1].port"),
        (22, "peripherals[1].options.baud"),
    ]
    assert found[0].message == "expected socket://HOST:PORT, got 'socket://printer'"
    found = problems(
        tmp_path, GOOD.replace('"escpos"', '"cups"').replace("emulator:receipt-printer", "my queue")
    )
    assert only(found)[:2] == (16, "peripherals[0].port")


def test_a_missing_environment_variable_names_it_with_the_key(tmp_path: Path) -> None:
    text = GOOD.replace("https://central.example.gov.uk", "${CENTRAL_URL}")
    found = problems(tmp_path, text)
    # the unresolved URL is then also not a URL: both are reported, the cause first
    assert (found[0].line, found[0].key) == (2, "central_url")
    assert (
        found[0].message
        == "environment variable ${CENTRAL_URL} is not set (write ${CENTRAL_URL:-default} for a fallback)"
    )
    config_path = tmp_path / "kiosk.toml"
    assert (
        load_kiosk_config(config_path, env={"CENTRAL_URL": "http://c:8080"}).central_url
        == "http://c:8080"
    )


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = (
        GOOD.replace('"cdf-01"', '"bad id!"')
        .replace('data_dir = "data"', 'data_dir = "data"\nlanguages = ["en", "fr"]')
        .replace("respond_s = 30", "respond_s = 5")
        .replace('"magstripe"', '"laser"')
    )
    found = problems(tmp_path, text)
    keys = [p.key for p in found]
    assert keys == ["kiosk_id", "languages[1]", "idle.respond_s", "peripherals[1].driver"]
    assert [p.line for p in found] == sorted(p.line for p in found)  # type: ignore[type-var]
    assert "unsupported language 'fr'; supported: en, cy" in found[1].message


def test_default_language_must_be_one_of_the_languages(tmp_path: Path) -> None:
    text = GOOD.replace(
        'data_dir = "data"', 'data_dir = "data"\nlanguages = ["cy"]\ndefault_language = "en"'
    )
    assert only(problems(tmp_path, text)) == (
        5,
        "default_language",
        "'en' is not in languages ['cy']",
    )


def test_overlapping_badge_prefixes(tmp_path: Path) -> None:
    text = GOOD + '\n[badges]\nstaff_prefixes = ["ST"]\ntechnician_prefixes = ["STT"]\n'
    assert only(problems(tmp_path, text))[1:] == (
        "badges",
        "staff prefix 'ST' and technician prefix 'STT' overlap",
    )


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read: No such file or directory"):
        load_kiosk_config(tmp_path / "nope.toml", env={})
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'kiosk_id = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_kiosk_config(bad, env={})


def test_lines_are_found_in_sub_tables_and_dotted_keys(tmp_path: Path) -> None:
    text = GOOD.replace(
        "options = { baud = 9600 }", "\n[peripherals.options]\nbaud = 9600\nparity = { n = 1 }"
    ).replace("[idle]\n", "[idle]\nfoo.bar = 1\n")
    found = problems(tmp_path, text)
    assert [(p.line, p.key) for p in found] == [
        (10, "idle.foo"),
        (26, "peripherals[1].options.parity"),
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc", "Europe"])
def test_unknown_time_zone(tmp_path: Path, zone: str) -> None:
    text = GOOD.replace('data_dir = "data"', f'data_dir = "data"\ntimezone = "{zone}"')
    assert only(problems(tmp_path, text)) == (
        4,
        "timezone",
        f"unknown time zone {zone!r} (e.g. 'Europe/London')",
    )
