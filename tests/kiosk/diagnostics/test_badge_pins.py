"""Badge PINs: scrypt hashes on disk, right/wrong answers, lockout on a fake clock, the command."""

from __future__ import annotations

import io
import logging
import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.badge_pins import (
    LOCKOUT_AFTER,
    LOCKOUT_S,
    PIN_FILE_NAME,
    PinBook,
    PinFileError,
    badge_key,
    badge_pin_command,
    check_pin_format,
)
from tests.support.clocks import StepClock

TECH = badge_key("technician", "000042")
STAFF = badge_key("staff", "000042")


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def book(tmp_path: Path, clock: StepClock) -> PinBook:
    b = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    b.set_pin(TECH, "2580")
    return b


def test_badge_keys_keep_roles_apart():
    assert TECH == "technician:000042" and STAFF == "staff:000042"
    with pytest.raises(ValueError):
        badge_key("admin", "1")
    with pytest.raises(ValueError):
        badge_key("staff", "")


def test_right_pin_passes_wrong_pin_and_other_roles_fail(book: PinBook):
    assert book.verify(TECH, "2580")
    assert not book.verify(TECH, "2581")
    assert not book.verify(STAFF, "2580")  # same digits, other role: no PIN
    assert not book.verify(TECH, "")


def test_file_holds_salted_scrypt_hashes_only_and_is_private(book: PinBook, tmp_path: Path):
    path = tmp_path / PIN_FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert "2580" not in text
    record = tomllib.loads(text)["pins"][TECH]
    assert set(record) == {"salt", "hash", "n", "r", "p", "set_at"}
    assert record["n"] >= 2**14
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book.set_pin(STAFF, "2580")  # same PIN, different salt, different hash
    pins = tomllib.loads(path.read_text(encoding="utf-8"))["pins"]
    assert pins[TECH]["salt"] != pins[STAFF]["salt"]
    assert pins[TECH]["hash"] != pins[STAFF]["hash"]


def test_reloaded_book_verifies(book: PinBook, tmp_path: Path, clock: StepClock):
    again = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    assert len(again) == 1 and TECH in again
    assert again.verify(TECH, "2580")


def test_missing_file_is_an_empty_book(tmp_path: Path):
    book = PinBook.load(tmp_path / "absent.toml")
    assert len(book) == 0
    assert not book.verify(TECH, "2580")


def test_five_wrong_pins_lock_the_badge_for_five_minutes(book: PinBook, clock: StepClock):
    for left in range(LOCKOUT_AFTER - 1, 0, -1):
        check = book.attempt(TECH, "0001")
        assert not check.ok and check.attempts_left == left and check.locked_for_s == 0
    check = book.attempt(TECH, "0001")
    assert (check.ok, check.locked_for_s, check.attempts_left) == (False, LOCKOUT_S, 0)
    assert LOCKOUT_AFTER == 5 and LOCKOUT_S == 300
    clock.now += 299
    assert not book.verify(TECH, "2580")  # even the right PIN, while locked
    assert book.locked_for(TECH) == pytest.approx(1)
    clock.now += 1
    assert book.locked_for(TECH) == 0
    assert book.verify(TECH, "2580")


def test_lockout_is_per_badge_and_a_success_resets_the_count(book: PinBook, clock: StepClock):
    book.set_pin(STAFF, "1397")
    for _ in range(LOCKOUT_AFTER):
        book.verify(TECH, "0001")
    assert book.locked_for(TECH) > 0
    assert book.verify(STAFF, "1397")  # another badge is unaffected
    for _ in range(LOCKOUT_AFTER - 1):
        book.verify(STAFF, "0001")
    assert book.verify(STAFF, "1397")
    assert book.attempt(STAFF, "0001").attempts_left == LOCKOUT_AFTER - 1


def test_a_restart_gives_no_fresh_tries(book: PinBook, tmp_path: Path, clock: StepClock):
    """Counts and lockouts are on disk: reloading (a crash, a pulled plug) keeps them."""
    for _ in range(LOCKOUT_AFTER - 1):
        book.verify(TECH, "0001")
    again = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    check = again.attempt(TECH, "0001")  # the fifth, after the restart
    assert (check.ok, check.locked_for_s) == (False, LOCKOUT_S)
    clock.now += 100
    later = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    assert later.locked_for(TECH) == pytest.approx(LOCKOUT_S - 100)
    assert not later.verify(TECH, "2580")  # even the right PIN, while locked
    clock.now += LOCKOUT_S
    assert PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock).verify(TECH, "2580")


def test_the_attempts_file_is_private_and_names_no_badge(book: PinBook, tmp_path: Path):
    book.verify(TECH, "0001")
    path = tmp_path / f"{PIN_FILE_NAME}.attempts.json"
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert "000042" not in text and "technician" not in text and "0001" not in text
    assert book.verify(TECH, "2580")  # a success clears the count on disk too
    assert PinBook.load(tmp_path / PIN_FILE_NAME).attempt(TECH, "0001").attempts_left == (
        LOCKOUT_AFTER - 1
    )


def test_a_lockout_read_back_never_outlasts_five_minutes(tmp_path: Path, clock: StepClock):
    """The wall clock went back a day after the lockout was written: still five minutes at most."""
    book = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    for _ in range(LOCKOUT_AFTER):
        book.verify(TECH, "0001")
    clock.now -= 86_400
    assert PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock).locked_for(TECH) == LOCKOUT_S


def test_a_broken_attempts_file_is_said_not_silently_forgotten(
    tmp_path: Path, clock: StepClock, caplog
):
    (tmp_path / f"{PIN_FILE_NAME}.attempts.json").write_text("{nope", encoding="utf-8")
    caplog.set_level(logging.WARNING)
    book = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    assert book.locked_for(TECH) == 0
    assert "attempts file" in caplog.text and "unreadable" in caplog.text


def test_unknown_badges_are_locked_out_too(book: PinBook):
    for _ in range(LOCKOUT_AFTER):
        assert not book.verify("staff:999", "1397")
    assert book.locked_for("staff:999") == LOCKOUT_S


def test_setting_a_new_pin_lifts_a_lockout(book: PinBook):
    for _ in range(LOCKOUT_AFTER):
        book.verify(TECH, "0001")
    book.set_pin(TECH, "1397")
    assert book.verify(TECH, "1397")
    assert not book.verify(TECH, "2580")


def test_remove_forgets_a_pin(book: PinBook, tmp_path: Path):
    assert book.remove(TECH)
    assert not book.remove(TECH)
    assert not PinBook.load(tmp_path / PIN_FILE_NAME).verify(TECH, "2580")


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("123", "4 to 8 digits"),
        ("123456789", "4 to 8 digits"),
        ("12a4", "4 to 8 digits"),
        ("١٢٣٤", "4 to 8 digits"),  # Arabic-Indic digits are not ASCII
        ("7777", "repeated"),
        ("1234", "consecutive"),
        ("4321", "consecutive"),
        ("890123", "consecutive"),
    ],
)
def test_weak_or_malformed_pins_are_refused(pin: str, reason: str):
    with pytest.raises(ValueError, match=reason):
        check_pin_format(pin)


def test_good_pins_are_accepted():
    for pin in ("2580", "13972468", "1212"):
        check_pin_format(pin)


def test_corrupt_file_names_the_file_but_not_the_badge(tmp_path: Path):
    path = tmp_path / PIN_FILE_NAME
    path.write_text('[pins."technician:000042"]\nsalt = "x"\n', encoding="utf-8")
    with pytest.raises(PinFileError) as caught:
        PinBook.load(path)
    assert str(path) in str(caught.value) and "entry 1" in str(caught.value)
    assert "000042" not in str(caught.value)
    path.write_text("pins = [", encoding="utf-8")
    with pytest.raises(PinFileError, match="cannot read"):
        PinBook.load(path)


def test_nothing_logged_names_a_badge_or_pin(tmp_path: Path, caplog, clock: StepClock):
    caplog.set_level(logging.DEBUG)
    book = PinBook.load(tmp_path / PIN_FILE_NAME, clock=clock)
    book.set_pin(TECH, "2580")
    for _ in range(LOCKOUT_AFTER + 1):
        book.verify(TECH, "0001")
    assert caplog.records  # something was logged (set, lockout) …
    assert "000042" not in caplog.text and "2580" not in caplog.text and "0001" not in caplog.text


# ------------------------------------------------------------------ the command


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        'kiosk_id = "t-01"\ncentral_url = "http://127.0.0.1:9"\ndata_dir = "data"\n'
        '[office]\nid = "o"\nname = "Office"\n'
        '[badges]\nstaff_prefixes = ["STF"]\ntechnician_prefixes = ["TEC"]\n',
        encoding="utf-8",
    )
    return path


def test_command_sets_a_pin_from_stdin(tmp_path: Path, capsys):
    config = _config(tmp_path)
    code = badge_pin_command(config, "TEC000042", True, stdin=io.StringIO("2580\n"))
    out = capsys.readouterr()
    assert code == 0
    assert "PIN set for this technician badge" in out.out
    assert "000042" not in out.out + out.err and "2580" not in out.out + out.err
    book = PinBook.load(tmp_path / "data" / PIN_FILE_NAME)
    assert book.verify(TECH, "2580")


def test_command_prompts_twice_and_refuses_a_mismatch(tmp_path: Path, capsys):
    config = _config(tmp_path)
    answers = iter(["2580", "2581"])
    assert badge_pin_command(config, "STF-000042", prompt=lambda _: next(answers)) == 1
    assert "differ" in capsys.readouterr().err
    assert not (tmp_path / "data" / PIN_FILE_NAME).exists()
    answers = iter(["1397", "1397"])
    assert badge_pin_command(config, "stf 000042", prompt=lambda _: next(answers)) == 0
    assert PinBook.load(tmp_path / "data" / PIN_FILE_NAME).verify(STAFF, "1397")


def test_command_refuses_weak_pins_and_non_badges(tmp_path: Path, capsys):
    config = _config(tmp_path)
    assert badge_pin_command(config, "TEC000042", True, stdin=io.StringIO("1234\n")) == 1
    assert "consecutive" in capsys.readouterr().err
    assert badge_pin_command(config, "4929123412341234", True, stdin=io.StringIO("2580")) == 2
    err = capsys.readouterr().err
    assert "not a staff or technician badge" in err and "4929" not in err
    assert badge_pin_command(tmp_path / "missing.toml", "TEC1", True) == 2


def test_command_removes_a_pin(tmp_path: Path, capsys):
    config = _config(tmp_path)
    badge_pin_command(config, "TEC000042", True, stdin=io.StringIO("2580\n"))
    assert badge_pin_command(config, "TEC000042", remove=True) == 0
    assert "PIN removed" in capsys.readouterr().out
    assert not PinBook.load(tmp_path / "data" / PIN_FILE_NAME).verify(TECH, "2580")
