"""Anonymous reads of an unchanged thread are replayed at the ASGI door, byte for byte what Django answered, and
every change, every personal read and every refused query still goes through Django."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from django.core.signals import request_started

from conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)  # the door's lookups use connections of their own


def _asgi_get(path: str, headers: dict[str, str] | None = None) -> list[httpx.Response]:
    return _asgi_gets([(path, headers or {})])


def _asgi_gets(requests: list[tuple[str, dict[str, str]]]) -> list[httpx.Response]:
    from parvis.asgi import application

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [await client.get(path, headers=headers) for path, headers in requests]

    return asyncio.run(run())


@pytest.fixture
def django_requests() -> Any:
    seen: list[object] = []

    def count(**kwargs: Any) -> None:
        seen.append(kwargs)

    request_started.connect(count, dispatch_uid="test-kept-reads")
    yield seen
    request_started.disconnect(dispatch_uid="test-kept-reads")


THREAD = "/api/v1/sites/news/thread?key=article-1"


def test_an_unchanged_thread_is_replayed_as_django_answered_it(api: Any, django_requests: list[object]) -> None:
    api.post_comment("Premier.")
    django_requests.clear()
    origin = {"Origin": ORIGIN}
    first, second = _asgi_gets([(THREAD, origin), (THREAD, origin)])
    assert len(django_requests) == 1  # the second read never reached Django
    assert second.status_code == 200 and second.content == first.content
    assert second.headers.multi_items() == first.headers.multi_items()
    assert second.headers["access-control-allow-origin"] == ORIGIN


def test_a_new_comment_is_in_the_next_read(api: Any) -> None:
    api.post_comment("Premier.")
    (before,) = _asgi_get(THREAD)
    api.post_comment("Deuxième.", name="Bob")
    (after,) = _asgi_get(THREAD)
    assert [c["html"] for c in after.json()["comments"]] == [
        '<p dir="auto">Premier.</p>',
        '<p dir="auto">Deuxième.</p>',
    ]
    assert after.headers["etag"] != before.headers["etag"]


def test_the_answer_for_one_origin_is_not_replayed_to_another(api: Any) -> None:
    api.post_comment("Premier.")
    allowed, stranger = _asgi_gets([(THREAD, {"Origin": ORIGIN}), (THREAD, {"Origin": "https://evil.example"})])
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in stranger.headers


def test_personal_reads_revalidations_and_refused_queries_go_to_django(api: Any, django_requests: list[object]) -> None:
    token = api.post_comment("Le mien.").json()["edit_token"]
    (plain,) = _asgi_get(THREAD)
    django_requests.clear()
    answers = _asgi_gets(
        [
            (THREAD, {"Parvis-Own-Tokens": token}),
            (THREAD, {"If-None-Match": plain.headers["etag"]}),
            ("/api/v1/sites/news/thread?key=article-1&limit=0", {}),
            ("/api/v1/sites/news/thread?key=no-such-thread", {}),
        ]
    )
    assert len(django_requests) == 4
    own, revalidated, refused, missing = answers
    assert own.json()["comments"][0]["own"] is True and own.headers["cache-control"] == "private, no-cache"
    assert revalidated.status_code == 304
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert missing.status_code == 200 and missing.json()["comments"] == []
