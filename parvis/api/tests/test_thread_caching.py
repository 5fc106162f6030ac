"""A thread read can be revalidated and shared: an ETag answered by 304 while nothing changed, a short shared
cache lifetime for CDNs, and never a shared copy of a read that shows a reader their own pending comments."""

from __future__ import annotations

from typing import Any

import pytest

from parvis.comments.models import Comment, Status
from parvis.moderation.actions import set_status


@pytest.mark.django_db
def test_an_unchanged_thread_answers_304_and_a_new_comment_changes_the_etag(api: Any) -> None:
    api.post_comment("Premier.")
    first = api.thread()
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag

    again = api.get("/thread", {"key": "article-1"}, {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # The browser keeps using its copy: the 304 still passes the CORS check.
    assert again["Access-Control-Allow-Origin"] == "https://news.example"

    api.post_comment("Deuxième.", name="Bob")
    changed = api.get("/thread", {"key": "article-1"}, {"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert [c["html"] for c in changed.json()["comments"]][-1] == '<p dir="auto">Deuxième.</p>'


@pytest.mark.django_db
def test_a_comment_taken_down_changes_the_etag(api: Any) -> None:
    api.post_comment("Un avis.")
    etag = api.thread()["ETag"]
    set_status(Comment.objects.get(), Status.REJECTED)
    answer = api.get("/thread", {"key": "article-1"}, {"If-None-Match": etag})
    assert answer.status_code == 200 and answer.json()["comments"] == []


@pytest.mark.django_db
def test_shared_caches_may_keep_an_anonymous_read_for_the_configured_seconds(api: Any, settings: Any) -> None:
    settings.PARVIS_THREAD_CACHE_SECONDS = 7
    settings.PARVIS_THREAD_STALE_SECONDS = 45
    answer = api.thread()
    assert answer["Cache-Control"] == "public, max-age=0, s-maxage=7, stale-while-revalidate=45"
    vary = {part.strip().lower() for part in answer["Vary"].split(",")}
    assert {"origin", "parvis-own-tokens"} <= vary


@pytest.mark.django_db
def test_a_read_with_the_readers_own_tokens_is_never_shared(api: Any) -> None:
    token = api.post_comment("Le mien.").json()["edit_token"]
    answer = api.get("/thread", {"key": "article-1"}, {"Parvis-Own-Tokens": token})
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-cache"
