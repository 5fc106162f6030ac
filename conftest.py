"""Shared fixtures: sites, a JSON API client, factories. Unit tests live in each app's tests/."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from parvis.core.models import Site
from tests.smtp import SmtpServer

ORIGIN = "https://news.example"
# Fixtures through which a test reaches the suite's database (pytest-django's), directly or through others.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The end-to-end modules first (see ``end_to_end_first``). On the PostgreSQL run, only the tests that use the
    database run again: the others (the renderer, the classifier, the browser and server tests on their own
    SQLite files) would only repeat the SQLite run. A test that picks PostgreSQL by itself on that run (a server
    it starts) is marked ``both_databases``."""
    end_to_end_first(items)
    if not os.environ.get("PARVIS_TEST_POSTGRES"):
        return
    kept, dropped = [], []
    for item in items:
        uses_database = (
            item.get_closest_marker("django_db") is not None
            or item.get_closest_marker("both_databases") is not None
            or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses_database else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def end_to_end_first(items: list[pytest.Item]) -> None:
    """Put the modules of tests/ (real servers and browsers: a minute or more each) before the apps' own tests
    (seconds each), keeping the order within each. pytest-xdist's ``--dist loadfile`` hands out modules in this
    order as workers become free: the long ones start first and the short ones fill in at the end, instead of
    one worker still running a browser module long after the other has run out of work."""
    root = Path(__file__).resolve().parent / "tests"
    items.sort(key=lambda item: 0 if Path(item.path).is_relative_to(root) else 1)


class ApiClient:
    """Speaks to /api/v1/ the way the widget does: JSON bodies, the publisher's Origin."""

    def __init__(self, client: Client, site: Site, origin: str | None = ORIGIN) -> None:
        self.client = client
        self.site = site
        self.origin = origin

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {"HTTP_ORIGIN": self.origin} if self.origin else {}
        for name, value in (headers or {}).items():
            result["HTTP_" + name.upper().replace("-", "_")] = value
        return result

    def url(self, path: str) -> str:
        return f"/api/v1/sites/{self.site.slug}{path}"

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(self.url(path), params or {}, **self._headers(headers))

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, **extra: Any
    ) -> Any:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return getattr(self.client, method)(
            self.url(path),
            data=data,
            content_type=extra.pop("content_type", "application/json"),
            **self._headers(headers),
            **extra,
        )

    def post_comment(self, body: str = "Un commentaire.", key: str = "article-1", **fields: Any) -> Any:
        payload: dict[str, Any] = {
            "thread": {"key": key, "url": f"{ORIGIN}/{key}"},
            "body": body,
            "author": {"name": fields.pop("name", "Alice")},
        }
        payload.update(fields)
        return self.send("post", "/comments", payload, headers=fields.pop("headers", None))

    def thread(self, key: str = "article-1", **params: Any) -> Any:
        return self.get("/thread", {"key": key, **params})


@pytest.fixture(autouse=True)
def _no_thread_pages_from_other_tests() -> Iterator[None]:
    """Each test's database starts again from the same ids and versions: pages kept by an earlier test would be
    served for its threads' twins."""
    from parvis.api import kept_reads, thread_pages

    thread_pages.forget_all()
    kept_reads.forget_all()
    yield


@pytest.fixture
def site(db: Any) -> Site:
    return Site.objects.create(slug="news", name="News Example", allowed_origins=[ORIGIN], edit_window=900)


@pytest.fixture
def premod_site(db: Any) -> Site:
    return Site.objects.create(slug="premod", name="Premod", allowed_origins=[ORIGIN], moderation_mode="pre")


@pytest.fixture
def api(client: Client, site: Site) -> ApiClient:
    return ApiClient(client, site)


@pytest.fixture
def api_for(client: Client):  # type: ignore[no-untyped-def]
    def make(site: Site, origin: str | None = ORIGIN) -> ApiClient:
        return ApiClient(client, site, origin)

    return make


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 the outbox sends to; links in emails are https."""
    with SmtpServer() as server:
        settings.PARVIS_EMAIL_HOST = "127.0.0.1"
        settings.PARVIS_EMAIL_PORT = server.port
        settings.PARVIS_EMAIL_TIMEOUT = 5
        settings.PARVIS_EMAIL_FROM = "Parvis <notifications@parvis.test>"
        settings.PUBLIC_URL = "https://parvis.test"
        settings.PARVIS_EMAIL_BATCH_SECONDS = 0
        yield server
