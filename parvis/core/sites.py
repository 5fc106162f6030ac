"""Looking sites up by slug, the first step of every API request, from a short-lived in-process cache.

A site's rules change a few times a year but are read on every request (CORS, then the view). Each
server process keeps a site for SITE_CACHE_SECONDS; a save in the same process clears it at once, other
processes see the change within that delay.
"""

from __future__ import annotations

import time
from threading import Lock
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from parvis.core.models import Site

SITE_CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, Site | None]] = {}
_lock = Lock()


def site_by_slug(slug: str) -> Site | None:
    now = time.monotonic()
    cached = _cache.get(slug)
    if cached is not None and cached[0] > now:
        return cached[1]
    site = Site.objects.filter(slug=slug).first()
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[slug] = (now + SITE_CACHE_SECONDS, site)
    return site


@receiver([post_save, post_delete], sender=Site)
def _forget(sender: Any, **kwargs: Any) -> None:
    with _lock:
        _cache.clear()
