"""Every Parvis setting, with its default and the reason for it.

This file is the settings reference: each ``PARVIS_*`` name below can be set in the environment or, without
the prefix and in lower case, in the TOML file named by ``PARVIS_CONFIG`` (the environment wins).
``dev``, ``test`` and ``prod`` import this module and adjust a few values; application code reads settings
through :mod:`parvis.conf`, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from parvis.settings import database_url
from parvis.settings import environment as env

# Where the SQLite database, the generated development secret and other local state live.
# Default: ./var under the current directory.
DATA_DIR = env.path("PARVIS_DATA_DIR", Path.cwd() / "var")

# PARVIS_DATABASE_URL: sqlite:///relative/file, sqlite:////absolute/file or postgres://user:pw@host:5432/db.
# SQLite runs in WAL mode with synchronous=FULL, so an answered write is on disk.
DATABASE_URL = env.text("PARVIS_DATABASE_URL", f"sqlite:///{DATA_DIR / 'parvis.sqlite3'}")
DATABASES = {"default": database_url.parse(DATABASE_URL, DATA_DIR)}

# PARVIS_SECRET_KEY signs tokens and keys the IP hashes. Required in production (50+ random characters);
# development generates one into DATA_DIR (see dev.py).
SECRET_KEY = env.text("PARVIS_SECRET_KEY", "")

# PARVIS_DEBUG: Django's debug pages. Never in production; `parvis serve` refuses to start with it on.
DEBUG = env.boolean("PARVIS_DEBUG", False)

# PARVIS_PUBLIC_URL: the origin readers reach Parvis at (scheme://host[:port]). Used for links in pages
# and to build the Host allow-list below.
PUBLIC_URL = env.text("PARVIS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_URL)

# PARVIS_ALLOWED_HOSTS: Host headers Parvis answers to; anything else gets 400 (a forged Host cannot
# poison generated links). Default: the host of PARVIS_PUBLIC_URL.
ALLOWED_HOSTS = env.words("PARVIS_ALLOWED_HOSTS", [_public.hostname or "127.0.0.1"])

# PARVIS_TRUSTED_PROXIES: how many reverse proxies in front of Parvis append to X-Forwarded-For.
# 0 (default) ignores the header and uses the socket address; 1 takes the last address a single proxy
# (nginx) added. Never more than really exist, or readers can choose their own IP.
PARVIS_TRUSTED_PROXIES = env.integer("PARVIS_TRUSTED_PROXIES", 0)

# Rate limits, as "count/seconds". Answered with 429 and Retry-After.
# PARVIS_RATELIMIT_COMMENT_IP: new comments from one (hashed) IP.
PARVIS_RATELIMIT_COMMENT_IP = env.text("PARVIS_RATELIMIT_COMMENT_IP", "5/60")
# PARVIS_RATELIMIT_SIGN_IN_IP: sign-in attempts (publisher tokens, email links) from one (hashed) IP.
PARVIS_RATELIMIT_SIGN_IN_IP = env.text("PARVIS_RATELIMIT_SIGN_IN_IP", "20/60")
# PARVIS_RATELIMIT_COMMENT_THREAD: new comments on one thread from everyone (flood brake for a viral story).
PARVIS_RATELIMIT_COMMENT_THREAD = env.text("PARVIS_RATELIMIT_COMMENT_THREAD", "120/60")
# PARVIS_RATELIMIT_ACTION_IP: edits, deletions, votes and reports from one (hashed) IP.
PARVIS_RATELIMIT_ACTION_IP = env.text("PARVIS_RATELIMIT_ACTION_IP", "60/60")

# PARVIS_REDIS_URL: optional redis://host:6379/0. When set, rate-limit counters live in Redis (needed when
# several machines serve one site; otherwise in the database), and live updates cross processes through its
# pub/sub at once (otherwise another process's readers learn of a comment at their next poll).
PARVIS_REDIS_URL = env.text("PARVIS_REDIS_URL", "")

# PARVIS_MAX_REQUEST_BYTES: largest JSON body the API reads; larger bodies get 413 before parsing.
PARVIS_MAX_REQUEST_BYTES = env.integer("PARVIS_MAX_REQUEST_BYTES", 64 * 1024, minimum=1024)

# PARVIS_LANGUAGES: languages the comment language detector chooses from (ISO 639-1). A short list is
# faster and more accurate; comments in other languages are stored with language "".
PARVIS_LANGUAGES = env.words(
    "PARVIS_LANGUAGES", ["fr", "en", "he", "ar", "es", "de", "it", "pt", "nl", "ru", "tr", "fa"]
)

# PARVIS_DUPLICATE_WINDOW: seconds during which the same text from the same person on the same thread is
# refused as a duplicate (a double click, a re-sent form).
PARVIS_DUPLICATE_WINDOW = env.integer("PARVIS_DUPLICATE_WINDOW", 600)

# PARVIS_LIVE_POLL_SECONDS: how often each server process checks the threads its readers have open for
# new comments (one query for all of them); a comment written by the same process, or by any process when
# PARVIS_REDIS_URL is set, wakes the check at once. PARVIS_LIVE_MAX_SECONDS: how long one live-update stream stays
# open before the browser reconnects (bounds every connection).
PARVIS_LIVE_POLL_SECONDS = env.integer("PARVIS_LIVE_POLL_SECONDS", 2, minimum=1)
PARVIS_LIVE_MAX_SECONDS = env.integer("PARVIS_LIVE_MAX_SECONDS", 300, minimum=5)

# PARVIS_THREAD_CACHE_SECONDS: how long a shared cache (a CDN, a caching proxy) may serve a thread read without
# asking Parvis again; PARVIS_THREAD_STALE_SECONDS: how much longer it may serve its copy while it revalidates
# in the background (stale-while-revalidate), which lets it absorb a viral thread. Browsers always revalidate
# (a 304 when nothing changed, thanks to the ETag); reads carrying a reader's own tokens are never shared.
PARVIS_THREAD_CACHE_SECONDS = env.integer("PARVIS_THREAD_CACHE_SECONDS", 5, minimum=0)
PARVIS_THREAD_STALE_SECONDS = env.integer("PARVIS_THREAD_STALE_SECONDS", 30, minimum=0)
# PARVIS_THREAD_PAGES: rendered thread pages each server process keeps in memory (about 0.5 KB per comment
# shown), keyed by the thread's version so a change anywhere is seen at once; the least recently read go first.
PARVIS_THREAD_PAGES = env.integer("PARVIS_THREAD_PAGES", 1000, minimum=0)

# PARVIS_WORKERS: server processes started by `parvis serve` (default: one per core).
PARVIS_WORKERS = env.integer("PARVIS_WORKERS", 0)
# PARVIS_WORKER_CONNECTIONS: requests one server process handles at once, open live-update streams included
# (granian's backpressure; its default, about 1,000, would make the reader after that wait for a stream to end).
# Each needs a file descriptor: keep the process's open-files limit (ulimit -n) above it.
PARVIS_WORKER_CONNECTIONS = env.integer("PARVIS_WORKER_CONNECTIONS", 10000, minimum=16)

# PARVIS_MODERATION_ENCODER: "auto" runs the second moderation stage (a multilingual sentence encoder, installed
# with `pip install parvis[encoder]`) in the task worker when it is installed; "off" never runs it.
PARVIS_MODERATION_ENCODER = env.text("PARVIS_MODERATION_ENCODER", "auto")

# Optional outside opinions on comments, each off while its key is empty. The local engine always decides; a
# service's answer is one more finding, and a service that is slow or fails is skipped, so no comment waits on it
# or is lost. Privacy: when a connector is on, the comment's text, its author's name, email and website and the
# article's URL are sent to that service; IP addresses never are (Parvis keeps only keyed hashes of them).
# PARVIS_AKISMET_KEY / PARVIS_AKISMET_URL: an Akismet API key and the Akismet-compatible service to ask
# (comment-check; moderators' spam/not-spam decisions are reported back with submit-spam/submit-ham).
PARVIS_AKISMET_KEY = env.text("PARVIS_AKISMET_KEY", "")
PARVIS_AKISMET_URL = env.text("PARVIS_AKISMET_URL", "https://rest.akismet.com")
# PARVIS_PERSPECTIVE_KEY / PARVIS_PERSPECTIVE_URL: a key for a Perspective-compatible AnalyzeComment service
# (POST <url>/v1alpha1/comments:analyze), asked with doNotStore.
PARVIS_PERSPECTIVE_KEY = env.text("PARVIS_PERSPECTIVE_KEY", "")
PARVIS_PERSPECTIVE_URL = env.text("PARVIS_PERSPECTIVE_URL", "https://commentanalyzer.googleapis.com")
# PARVIS_CONNECTOR_TIMEOUT: seconds a connector may take before its answer is ignored.
PARVIS_CONNECTOR_TIMEOUT = env.integer("PARVIS_CONNECTOR_TIMEOUT", 2, minimum=1)
# PARVIS_RATELIMIT_ANALYZE_KEY: requests to Parvis's own Perspective-compatible endpoint
# (/v1alpha1/comments:analyze) per API key, as "count/seconds"; the default is Perspective's own default quota.
PARVIS_RATELIMIT_ANALYZE_KEY = env.text("PARVIS_RATELIMIT_ANALYZE_KEY", "60/60")

# Email notifications (subscriptions, reply alerts, digests, staff alerts). Every email is a row of the outbox,
# written in the same transaction as the event that causes it and sent by `parvis worker` over SMTP.
# PARVIS_EMAIL_HOST / PARVIS_EMAIL_PORT: the SMTP server (a local MTA by default). `make demo` points them at
# its capture server (127.0.0.1:8025).
PARVIS_EMAIL_HOST = env.text("PARVIS_EMAIL_HOST", "localhost")
PARVIS_EMAIL_PORT = env.integer("PARVIS_EMAIL_PORT", 25, minimum=1)
# PARVIS_EMAIL_SECURITY: "none" (plain SMTP, for a local MTA), "starttls" (usually port 587) or "tls"
# (implicit TLS, usually port 465). Certificates are verified against the system's trust store. `parvis check`
# refuses any other value, and a PARVIS_EMAIL_USER without TLS (the worker never sends a password in clear).
PARVIS_EMAIL_SECURITY = env.text("PARVIS_EMAIL_SECURITY", "none")
# PARVIS_EMAIL_USER / PARVIS_EMAIL_PASSWORD: SMTP AUTH, used when the user is set (only over starttls or tls).
PARVIS_EMAIL_USER = env.text("PARVIS_EMAIL_USER", "")
PARVIS_EMAIL_PASSWORD = env.text("PARVIS_EMAIL_PASSWORD", "")
# PARVIS_EMAIL_FROM: the sender of every email; the domain also ends each Message-ID.
PARVIS_EMAIL_FROM = env.text("PARVIS_EMAIL_FROM", "Parvis <parvis@localhost>")
# PARVIS_EMAIL_TIMEOUT: seconds an SMTP conversation may stall before the attempt counts as failed.
PARVIS_EMAIL_TIMEOUT = env.integer("PARVIS_EMAIL_TIMEOUT", 30, minimum=1)
# Retries after an SMTP failure wait PARVIS_EMAIL_RETRY_SECONDS, doubling each time up to
# PARVIS_EMAIL_RETRY_MAX_SECONDS; after PARVIS_EMAIL_MAX_ATTEMPTS failures (about a day with the defaults) the
# email is marked failed. A permanent refusal (an SMTP 5xx for the recipient) fails it at once.
PARVIS_EMAIL_RETRY_SECONDS = env.integer("PARVIS_EMAIL_RETRY_SECONDS", 30, minimum=1)
PARVIS_EMAIL_RETRY_MAX_SECONDS = env.integer("PARVIS_EMAIL_RETRY_MAX_SECONDS", 3600, minimum=1)
PARVIS_EMAIL_MAX_ATTEMPTS = env.integer("PARVIS_EMAIL_MAX_ATTEMPTS", 30, minimum=1)
# PARVIS_EMAIL_LEASE_SECONDS: an email claimed by a worker that has neither sent it nor failed within this time
# (the worker died) is sent again. Keep it above PARVIS_EMAIL_TIMEOUT.
PARVIS_EMAIL_LEASE_SECONDS = env.integer("PARVIS_EMAIL_LEASE_SECONDS", 120, minimum=1)
# PARVIS_EMAIL_BATCH_SECONDS: new comments in a subscribed thread are gathered this long into one email, so a
# busy thread never sends one email per comment.
PARVIS_EMAIL_BATCH_SECONDS = env.integer("PARVIS_EMAIL_BATCH_SECONDS", 600, minimum=0)
# PARVIS_EMAIL_DIGEST_HOUR: the hour (UTC, 0-23) after which the daily digests of the day are written.
PARVIS_EMAIL_DIGEST_HOUR = env.integer("PARVIS_EMAIL_DIGEST_HOUR", 7, minimum=0)
# PARVIS_RATELIMIT_EMAIL_RECIPIENT: emails sent to one address, as "count/seconds"; more wait for the next
# window (they are delayed, never dropped).
PARVIS_RATELIMIT_EMAIL_RECIPIENT = env.text("PARVIS_RATELIMIT_EMAIL_RECIPIENT", "20/3600")
# PARVIS_RATELIMIT_SUBSCRIBE_IP / PARVIS_RATELIMIT_SUBSCRIBE_EMAIL: subscription requests from one (hashed) IP
# and for one address; each request may send one confirmation email, so these bound a mail bomb.
PARVIS_RATELIMIT_SUBSCRIBE_IP = env.text("PARVIS_RATELIMIT_SUBSCRIBE_IP", "10/3600")
PARVIS_RATELIMIT_SUBSCRIBE_EMAIL = env.text("PARVIS_RATELIMIT_SUBSCRIBE_EMAIL", "3/3600")
# PARVIS_EMAIL_CONFIRM_DAYS: how long a confirmation link works. A subscription still unconfirmed this many days
# after its last confirmation email is deleted by the worker's minute tick (it can no longer be confirmed).
PARVIS_EMAIL_CONFIRM_DAYS = env.integer("PARVIS_EMAIL_CONFIRM_DAYS", 7, minimum=1)
# PARVIS_EMAIL_CAPTURE_DIR: development only. When set, /notifications/mailbox/ lists the emails that
# `parvis mailcapture` stored in this directory (`make demo` sets both).
PARVIS_EMAIL_CAPTURE_DIR = env.text("PARVIS_EMAIL_CAPTURE_DIR", "")

# Readers' own data (parvis/privacy): a commenter proves their address with a signed link, then downloads or
# erases what they left on a site. PARVIS_PRIVACY_LINK_HOURS: how long that link works (it also ends when the
# data is erased).
PARVIS_PRIVACY_LINK_HOURS = env.integer("PARVIS_PRIVACY_LINK_HOURS", 24, minimum=1)
# PARVIS_PRIVACY_HASH_DAYS: after this many days the keyed hashes of a comment's IP address, network and user agent
# (and the hashed voter and reporter keys of votes and reports) are blanked by a daily task. They serve rate
# limits, duplicate detection and bans, which only need recent ones; bans a moderator made keep their own hash.
PARVIS_PRIVACY_HASH_DAYS = env.integer("PARVIS_PRIVACY_HASH_DAYS", 90, minimum=1)
# PARVIS_RATELIMIT_PRIVACY_IP / PARVIS_RATELIMIT_PRIVACY_EMAIL: data requests from one (hashed) IP and for one
# address on a site, as "count/seconds"; each may send one email, so these bound a mail bomb.
PARVIS_RATELIMIT_PRIVACY_IP = env.text("PARVIS_RATELIMIT_PRIVACY_IP", "10/3600")
PARVIS_RATELIMIT_PRIVACY_EMAIL = env.text("PARVIS_RATELIMIT_PRIVACY_EMAIL", "3/3600")

# Sign-in and confirmation links sent by email (parvis/identity/email_links.py). PARVIS_EMAIL_LINK_MINUTES: how long
# a link works; the app that asked polls until it is clicked, then receives its session once.
PARVIS_EMAIL_LINK_MINUTES = env.integer("PARVIS_EMAIL_LINK_MINUTES", 30, minimum=1)
# PARVIS_RATELIMIT_EMAIL_LINK_IP / PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS: sign-in links asked from one (hashed) IP and
# for one address on a site, as "count/seconds"; each sends an email, so these bound a mail bomb.
PARVIS_RATELIMIT_EMAIL_LINK_IP = env.text("PARVIS_RATELIMIT_EMAIL_LINK_IP", "10/3600")
PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS = env.text("PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS", "5/3600")

# Background jobs (the moderation second opinion, site model training, surge checks) are rows in the database,
# run by `parvis worker`; a job is enqueued in the same transaction as the comment it is about.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API docs (Swagger UI) from local static files instead of a CDN.
    "ninja",
    "parvis.core",
    "parvis.accounts",
    "parvis.threads",
    "parvis.comments",
    "parvis.moderation",
    "parvis.dashboard",
    "parvis.notifications",
    "parvis.privacy",
    "parvis.importers",
    "parvis.identity",
    "django_tasks",
    "django_tasks_db",
    "parvis.api",
    "parvis.web",
    "parvis.embed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parvis.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "parvis.api.cors.CorsMiddleware",
    "parvis.api.guard.ApiGuardMiddleware",
    # ETag on every GET answer and 304 when the client has it already (thread reads revalidate cheaply). After
    # CORS, so a 304 carries the CORS headers too.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parvis.dashboard.middleware.DashboardLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "parvis.urls"
ASGI_APPLICATION = "parvis.asgi.application"
WSGI_APPLICATION = "parvis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Pages take the site's language; API titles are English (clients translate the stable codes).
LANGUAGE_CODE = "en"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("he", "עברית"), ("ar", "العربية")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Django's own limit on bodies it will read; the API enforces PARVIS_MAX_REQUEST_BYTES first.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF cookie of the no-JavaScript form ends with the browser session: nothing outlives the visit.
CSRF_COOKIE_AGE = None
CSRF_FAILURE_VIEW = "parvis.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Framing is governed by the CSP frame-ancestors directive (per site), not by X-Frame-Options.
X_FRAME_OPTIONS = "DENY"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "parvis": {"level": "INFO"},
        # Forged Host headers are answered 400 bad_host; a traceback per scanner request is only noise.
        "django.security.DisallowedHost": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
