"""Who is asking: the client's IP (through a configured number of trusted proxies) and its keyed hashes.

IPs are never stored in clear: an HMAC keyed by the server secret lets Parvis recognise a repeat visitor
for rate limits, duplicates and bans without keeping an address a leak could expose.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from parvis import conf


def _valid_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the reader. With N trusted proxies, each appends the address it received from to
    X-Forwarded-For, so the reader is the N-th entry from the right; anything further left was written by
    the client and is ignored."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = conf.trusted_proxies()
    if proxies:
        chain = [item.strip() for item in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        chain = [item for item in chain if item]
        if len(chain) >= proxies:
            candidate = _valid_ip(chain[-proxies])
            if candidate is not None:
                return str(candidate)
    address = _valid_ip(remote)
    return str(address) if address is not None else "0.0.0.0"  # noqa: S104 (a placeholder, never bound)


@lru_cache(maxsize=4)
def _hash_key(secret: str) -> bytes:
    return hashlib.sha256(b"parvis-client-hash:" + secret.encode()).digest()


def keyed_hash(value: str) -> str:
    """A 32-hex-digit HMAC of ``value``, stable for this server's secret."""
    return hmac.new(_hash_key(settings.SECRET_KEY), value.encode(), hashlib.sha256).hexdigest()[:32]


def network_of(ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address belongs to, the unit networks are banned by."""
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True)
class ClientFingerprint:
    ip_hash: str
    network_hash: str
    user_agent_hash: str


def fingerprint(request: HttpRequest) -> ClientFingerprint:
    ip = client_ip(request)
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:512]
    return ClientFingerprint(
        ip_hash=keyed_hash(f"ip:{ip}"),
        network_hash=keyed_hash(f"net:{network_of(ip)}"),
        user_agent_hash=keyed_hash(f"ua:{agent}") if agent else "",
    )
