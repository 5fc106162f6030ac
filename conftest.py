"""Shared fixtures: sites, a JSON API client, factories. Unit tests live in each app's tests/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from parvis.core.models import Site

ORIGIN = "https://news.example"


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
