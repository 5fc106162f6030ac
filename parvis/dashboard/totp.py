"""Time-based one-time passwords (RFC 6238 over RFC 4226): SHA-1, 6 digits, 30-second steps.

These are the parameters every authenticator app defaults to, so they are fixed rather than configurable: a
secret enrolled with other parameters would silently produce codes nobody can type. The functions are pure (the
time is an argument), so the RFC's test vectors and the replay rules can be tested without a clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30
# 160 bits: the length of a SHA-1 block's output, which RFC 4226 recommends for the shared secret.
SECRET_BYTES = 20
# Steps either side of the current one that are still accepted: a phone's clock a little off, or a code typed
# just as it changed.
WINDOW = 1


def new_secret() -> str:
    """A fresh shared secret in base32 without padding (32 characters), as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """The key a base32 ``secret`` stands for (spaces and lower case tolerated, padding optional)."""
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226: HMAC-SHA-1 of the 8-byte counter, dynamically truncated to ``digits`` decimal digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(when: float) -> int:
    """The RFC 6238 time step (T) of a Unix time: whole periods since the epoch."""
    return int(when // PERIOD)


def code_at(secret: str, when: float, digits: int = DIGITS) -> str:
    """The code an authenticator shows for ``secret`` at Unix time ``when``."""
    return hotp(secret_bytes(secret), step_at(when), digits)


def normalised_code(typed: str) -> str:
    """What someone typed, without the spaces and dashes apps and people put in the middle of a code."""
    return typed.replace(" ", "").replace("-", "").strip()


def matching_step(secret: str, typed: str, when: float, *, after: int = -1) -> int | None:
    """The step within ±WINDOW of ``when`` whose code is ``typed``, if it is later than ``after``, else None.

    ``after`` is the last step this secret was accepted for: refusing it and every earlier step means a code seen
    over a shoulder, or sent twice by a double click, cannot open a second session.
    """
    code = normalised_code(typed)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    key = secret_bytes(secret)
    current = step_at(when)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > after and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI authenticator apps import (Google's Key URI format, the de facto standard)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD}, quote_via=quote
    )
    return f"otpauth://totp/{label}?{query}"
