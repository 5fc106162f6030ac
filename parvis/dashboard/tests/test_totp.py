"""The one-time password arithmetic: RFC 6238's own test vectors, the ±1 step window and the replay rule."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from parvis.dashboard import totp

# RFC 6238 Appendix B, SHA-1 column: the seed is the ASCII string "12345678901234567890". The RFC lists 8-digit
# codes; its reference implementation truncates with `% 10^digits`, so the 6-digit code is their last six digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize("when, eight_digits", RFC_VECTORS)
def test_codes_match_the_rfc_6238_sha1_test_vectors(when: int, eight_digits: str) -> None:
    assert totp.code_at(RFC_SECRET, when, digits=8) == eight_digits
    assert totp.code_at(RFC_SECRET, when) == eight_digits[-6:]


def test_a_new_secret_is_160_random_bits_in_base32() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) == 32
    assert len(totp.secret_bytes(first)) == 20
    # Lower case and spaces, as people copy it, stand for the same key.
    spaced = " ".join(first[i : i + 4] for i in range(0, 32, 4)).lower()
    assert totp.secret_bytes(spaced) == totp.secret_bytes(first)


def test_a_code_is_accepted_one_step_either_side_and_not_further() -> None:
    now = 1111111111
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(RFC_SECRET, now + offset * totp.PERIOD)
        assert totp.matching_step(RFC_SECRET, code, now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, now + offset * totp.PERIOD), now) is None


def test_a_step_already_used_or_earlier_is_refused() -> None:
    now = 1234567890
    code = totp.code_at(RFC_SECRET, now)
    step = totp.step_at(now)
    assert totp.matching_step(RFC_SECRET, code, now, after=step - 1) == step
    assert totp.matching_step(RFC_SECRET, code, now, after=step) is None
    earlier = totp.code_at(RFC_SECRET, now - totp.PERIOD)
    assert totp.matching_step(RFC_SECRET, earlier, now, after=step) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "9" * 1000])
def test_anything_but_six_ascii_digits_is_no_code(typed: str) -> None:
    assert totp.matching_step(RFC_SECRET, typed, 59) is None


def test_spaces_inside_a_typed_code_are_ignored() -> None:
    code = totp.code_at(RFC_SECRET, 59)
    assert totp.matching_step(RFC_SECRET, f" {code[:3]} {code[3:]} ", 59) == totp.step_at(59)


def test_the_provisioning_uri_names_the_issuer_account_and_parameters() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "mona@news.example", "Parvis")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/Parvis:mona@news.example")
    assert parse_qs(parts.query) == {
        "secret": [RFC_SECRET],
        "issuer": ["Parvis"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
