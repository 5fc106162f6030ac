"""Email addresses a reader types, checked before anything is stored or sent, and header-safe text.

Internationalised addresses are accepted when they are valid: a Unicode domain (IDN, sent as its A-label)
and a UTF-8 local part (RFC 6531; such mail needs an SMTP server that offers SMTPUTF8). Everything else is
refused with ``invalid_email`` and a sentence saying what is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

from parvis.core.exceptions import Code, ProblemError

MAX_ADDRESS = 254
MAX_LOCAL = 64
# RFC 5322 atext, plus any non-ASCII character (RFC 6531 UTF8-non-ascii) that is not a control or a space.
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Control characters, line and paragraph separators: never inside a header value.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def _refuse(detail: str) -> ProblemError:
    return ProblemError(Code.INVALID_EMAIL, detail, field="email")


def _ascii_domain(domain: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise _refuse("The domain after @ is not a valid domain name.") from error
    labels = ascii_domain.split(".")
    if len(labels) < 2 or len(ascii_domain) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse("The domain after @ is not a valid domain name.")
    if labels[-1].isdigit():
        raise _refuse("The domain after @ must be a name, not an IP address.")
    return ascii_domain


def normalise_address(value: str) -> str:
    """The address as it will be stored and mailed: NFC, trimmed, the domain lower-cased (Unicode form kept)."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if not text:
        raise _refuse("An email address is needed.")
    if len(text.encode()) > MAX_ADDRESS:
        raise _refuse(f"The address is longer than {MAX_ADDRESS} bytes.")
    if _HEADER_UNSAFE.search(text) or any(character.isspace() for character in text):
        raise _refuse("The address contains spaces or control characters.")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise _refuse("The address needs a name, an @ and a domain.")
    if len(local.encode()) > MAX_LOCAL:
        raise _refuse(f"The part before @ is longer than {MAX_LOCAL} bytes.")
    if (
        local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or not all(_ATEXT.match(part) for part in local.split("."))
    ):
        raise _refuse("The part before @ contains characters an address cannot have.")
    _ascii_domain(domain)
    return f"{local}@{domain.lower()}"


def smtp_address(address: str) -> tuple[str, bool]:
    """The address for the SMTP envelope (domain as A-label) and whether it needs SMTPUTF8."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{_ascii_domain(domain)}", not local.isascii()


def address_key(address: str) -> str:
    """A keyed hash of the address: signed links and the database's lookups carry this, never the address."""
    secret = str(settings.SECRET_KEY).encode()
    return hmac.new(secret, b"address:" + address.lower().encode(), hashlib.sha256).hexdigest()


def header_text(value: str, limit: int = 200) -> str:
    """Text from readers (a name, an article title) made safe for a header: one line, bounded."""
    return " ".join(_HEADER_UNSAFE.sub(" ", value or "").split())[:limit]
