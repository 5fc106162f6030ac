"""Thread keys: the publisher's explicit id, or the canonical form of the article URL.

Canonical URLs make one article one thread even when readers arrive with tracking parameters, a
fragment, an upper-case host or an explicit default port.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parvis.core.exceptions import Code, ProblemError
from parvis.core.origins import normalise_origin

MAX_KEY_LENGTH = 512
MAX_URL_LENGTH = 2048
# Query parameters that identify a campaign or a click, never a different article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_")
_TRACKING_NAMES = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "_ga", "_gl", "xtor", "at_medium"}


def canonical_url(url: str) -> str | None:
    """The canonical form of an http(s) URL, or None when ``url`` is not one."""
    origin = normalise_origin(url)
    if origin is None:
        return None
    parts = urlsplit(url.strip())
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith(_TRACKING_PREFIXES) and name.lower() not in _TRACKING_NAMES
    ]
    return urlunsplit((parts.scheme, origin.split("://", 1)[1], parts.path or "/", urlencode(query), ""))


def thread_key(key: str | None, url: str | None) -> str:
    """The key a thread is stored under: an explicit id as given, or the canonical URL."""
    explicit = (key or "").strip()
    if explicit:
        if len(explicit) > MAX_KEY_LENGTH:
            raise ProblemError(
                Code.VALIDATION_FAILED, "The thread key is longer than 512 characters.", field="thread.key"
            )
        if explicit.lower().startswith(("http://", "https://")):
            return canonical_url(explicit) or explicit
        return explicit
    if not url:
        raise ProblemError(Code.VALIDATION_FAILED, "Give the thread's key or its page URL.", field="thread.url")
    canonical = canonical_url(url)
    if canonical is None:
        raise ProblemError(Code.INVALID_URL, "The page URL must be an http:// or https:// address.", field="thread.url")
    if len(canonical) > MAX_KEY_LENGTH:
        raise ProblemError(
            Code.VALIDATION_FAILED, "The page URL is too long to key a thread; give data-parvis-id.", field="thread.url"
        )
    return canonical
