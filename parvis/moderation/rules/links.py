"""Links in a comment: how many, to which domains, and whether they hide their target behind a shortener.

A link is not bad in itself — readers cite sources — so one or two ordinary links score low; link-stuffing
is what spam looks like. A shortener hides its target, but people paste them innocently too (every link shared
from some platforms is one): alone it stays under the review level, and tips a comment only with other signals.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import regex

from parvis.moderation.findings import Finding

SHORTENERS = frozenset(
    {"bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly", "rebrand.ly",
     "shorturl.at", "rb.gy", "tiny.cc", "t.ly", "s.id", "v.gd", "lnkd.in", "bl.ink", "short.io"}
)  # fmt: skip
MANY_LINKS = 3
# Scheme URLs, www. addresses, and bare domains with a common top-level domain ("example.com/promo").
_URL = regex.compile(
    r"(?i)\b(?:https?://[^\s<>\"']+|www\.[^\s<>\"']+|[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\."
    r"(?:com|net|org|info|biz|io|ly|co|me|xyz|top|club|online|site|ru|fr|uk|de|il|ae|sa|eg|ma|tn|dz)(?:/[^\s<>\"']*)?)(?![\w.-])"
)


def domain(link: str) -> str:
    address = link if "://" in link else f"http://{link}"
    try:
        host = urlsplit(address).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.").lower()


def links(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Each link in ``text`` with its domain and place."""
    return [(domain(match.group().rstrip(".,;:!?)")), (match.start(), match.end())) for match in _URL.finditer(text)]


def within(host: str, domains: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one ("www.lemonde.fr" is within "lemonde.fr")."""
    if not host or not domains:
        return False
    parts = host.split(".")
    return any(".".join(parts[index:]) in domains for index in range(len(parts)))


def check(text: str, allowed: frozenset[str] = frozenset()) -> list[Finding]:
    """Link findings; links to ``allowed`` domains (a site's allow list: its own articles) are not counted."""
    found = [(host, span) for host, span in links(text) if not within(host, allowed)]
    findings = [
        Finding("links.shortener", "spam", 0.45, f"The link to {host} hides where it leads.", (span,))
        for host, span in found
        if host in SHORTENERS
    ]
    if len(found) >= MANY_LINKS:
        findings.append(
            Finding("links.many", "spam", min(0.95, 0.5 + 0.1 * len(found)),
                    f"The comment contains {len(found)} links.", tuple(span for _, span in found))
        )  # fmt: skip
    elif found:
        findings.append(
            Finding("links.present", "links", 0.2, "The comment contains a link.", tuple(span for _, span in found))
        )
    return findings
