"""Typed, lazy access to Parvis settings: read at call time so tests and `override_settings` see changes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Rate:
    """A limit of ``count`` events per ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, value: str) -> Rate:
        try:
            count_text, seconds_text = value.split("/")
            rate = cls(int(count_text), int(seconds_text))
        except ValueError as error:
            raise ImproperlyConfigured(f"{name} must look like '5/60' (count/seconds), not {value!r}") from error
        if rate.count < 1 or rate.seconds < 1:
            raise ImproperlyConfigured(f"{name} needs a count and a period of at least 1, not {value!r}")
        return rate


def public_url() -> str:
    return str(settings.PUBLIC_URL)


def trusted_proxies() -> int:
    return int(settings.PARVIS_TRUSTED_PROXIES)


def rate(name: str) -> Rate:
    return Rate.parse(name, getattr(settings, name))


def redis_url() -> str:
    return str(settings.PARVIS_REDIS_URL)


def thread_pages() -> int:
    return int(settings.PARVIS_THREAD_PAGES)


def max_request_bytes() -> int:
    return int(settings.PARVIS_MAX_REQUEST_BYTES)


def languages() -> list[str]:
    return list(settings.PARVIS_LANGUAGES)


def duplicate_window() -> int:
    return int(settings.PARVIS_DUPLICATE_WINDOW)


def workers() -> int:
    return int(settings.PARVIS_WORKERS)


def worker_connections() -> int:
    return int(settings.PARVIS_WORKER_CONNECTIONS)


def live_poll_seconds() -> float:
    return float(settings.PARVIS_LIVE_POLL_SECONDS)


def thread_cache_control(personal: bool) -> str:
    """The Cache-Control of a thread read: shared caches may keep an anonymous read for a few seconds; one that
    shows a reader their own pending comments is theirs only."""
    if personal:
        return "private, no-cache"
    shared, stale = int(settings.PARVIS_THREAD_CACHE_SECONDS), int(settings.PARVIS_THREAD_STALE_SECONDS)
    return f"public, max-age=0, s-maxage={shared}, stale-while-revalidate={stale}"


def live_max_seconds() -> float:
    return float(settings.PARVIS_LIVE_MAX_SECONDS)


def moderation_encoder() -> bool:
    return str(settings.PARVIS_MODERATION_ENCODER).lower() != "off"


def akismet_key() -> str:
    return str(settings.PARVIS_AKISMET_KEY)


def akismet_url() -> str:
    return str(settings.PARVIS_AKISMET_URL).rstrip("/")


def perspective_key() -> str:
    return str(settings.PARVIS_PERSPECTIVE_KEY)


def perspective_url() -> str:
    return str(settings.PARVIS_PERSPECTIVE_URL).rstrip("/")


def connector_timeout() -> float:
    return float(settings.PARVIS_CONNECTOR_TIMEOUT)


@dataclass(frozen=True)
class Smtp:
    """Where and how the outbox worker sends email (PARVIS_EMAIL_*)."""

    host: str
    port: int
    security: str
    user: str
    password: str
    timeout: float


EMAIL_SECURITY = ("none", "starttls", "tls")


def smtp() -> Smtp:
    return Smtp(
        host=str(settings.PARVIS_EMAIL_HOST),
        port=int(settings.PARVIS_EMAIL_PORT),
        security=str(settings.PARVIS_EMAIL_SECURITY).lower(),
        user=str(settings.PARVIS_EMAIL_USER),
        password=str(settings.PARVIS_EMAIL_PASSWORD),
        timeout=float(settings.PARVIS_EMAIL_TIMEOUT),
    )


def email_from() -> str:
    return str(settings.PARVIS_EMAIL_FROM)


def email_retry() -> tuple[int, int, int]:
    """(first delay, longest delay, attempts before giving up) for emails the SMTP server did not take."""
    return (
        int(settings.PARVIS_EMAIL_RETRY_SECONDS),
        int(settings.PARVIS_EMAIL_RETRY_MAX_SECONDS),
        int(settings.PARVIS_EMAIL_MAX_ATTEMPTS),
    )


def email_lease_seconds() -> int:
    return int(settings.PARVIS_EMAIL_LEASE_SECONDS)


def email_batch_seconds() -> int:
    return int(settings.PARVIS_EMAIL_BATCH_SECONDS)


def email_digest_hour() -> int:
    return int(settings.PARVIS_EMAIL_DIGEST_HOUR)


def email_confirm_days() -> int:
    return int(settings.PARVIS_EMAIL_CONFIRM_DAYS)


def email_capture_dir() -> str:
    return str(settings.PARVIS_EMAIL_CAPTURE_DIR)


def privacy_link_seconds() -> int:
    """How long a reader's data link works (PARVIS_PRIVACY_LINK_HOURS)."""
    return int(settings.PARVIS_PRIVACY_LINK_HOURS) * 3600


def email_link_seconds() -> int:
    """How long a sign-in or confirmation link sent by email works (PARVIS_EMAIL_LINK_MINUTES)."""
    return int(settings.PARVIS_EMAIL_LINK_MINUTES) * 60


def privacy_hash_days() -> int:
    """Age after which IP, network and user-agent hashes are blanked (PARVIS_PRIVACY_HASH_DAYS)."""
    return int(settings.PARVIS_PRIVACY_HASH_DAYS)
