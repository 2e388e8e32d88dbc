"""Pure parts: code alphabets and shapes, normalisation, hashing, the sliding-window limiter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from central.handoff import codes

LETTERS = set("BCDFGHJKLMNPQRSTVWXZ")


@given(st.text(min_size=1, max_size=60))
def test_display_code_is_derived_and_well_formed(secret: str) -> None:
    code = codes.display_code_for(secret)
    assert len(code) == 9 and code[4] == "-" and set(code.replace("-", "")) <= LETTERS
    assert codes.display_code_for(secret) == code


def test_codes_are_random_and_cover_the_alphabet() -> None:
    secrets_ = {codes.new_secret() for _ in range(200)}
    assert len(secrets_) == 200 and all(len(s) >= 43 for s in secrets_)
    seen = set("".join(codes.display_code_for(s) for s in secrets_).replace("-", ""))
    assert seen == LETTERS
    slip = codes.new_resume_code()
    assert len(slip) == 14 and set(slip.replace("-", "")) <= LETTERS


def test_normalise_code() -> None:
    assert codes.normalise_code(" bcdf-ghjk ", 8) == "BCDFGHJK"
    assert codes.normalise_code("BCDF GHJK", 8) == "BCDFGHJK"
    assert codes.normalise_code("BCDF-GHJA", 8) is None  # a vowel is never in a code
    assert codes.normalise_code("BCDF-GHJ", 8) is None
    assert codes.normalise_short_id("k7q-2x9") == "K7Q2X9"
    assert codes.normalise_short_id("K7Q2X0") is None  # 0, 1, O, I, L, A, E, U are never used
    assert codes.normalise_short_id("K7Q2X") is None


def test_hashes_are_domain_separated() -> None:
    assert codes.hash_secret("abc", "a") != codes.hash_secret("abc", "b")
    assert codes.same_hash(codes.hash_secret("abc", "a"), codes.hash_secret("abc", "a"))
    assert not codes.same_hash(codes.hash_secret("abc", "a"), codes.hash_secret("abd", "a"))


def test_factor_hash_is_argon2id() -> None:
    stored = codes.hash_factor("1985-03-27")
    assert stored.startswith("$argon2id$") and "1985" not in stored
    assert codes.verify_factor(stored, "1985-03-27") and not codes.verify_factor(
        stored, "1985-03-28"
    )
    assert not codes.verify_factor("garbage", "x")
