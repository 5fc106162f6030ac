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


@pytest.mark.django_db
def test_a_kept_page_is_answered_with_one_query_and_the_same_bytes(
    api: Any, django_assert_max_num_queries: Any
) -> None:
    api.post_comment("Premier.")
    first = api.thread()
    with django_assert_max_num_queries(1):  # the thread's row; the site comes from the process's cache
        again = api.thread()
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Content-Type"] == first["Content-Type"]


def _vote(api: Any, comment: dict[str, Any], token: str) -> None:
    # Another reader (one's own comment takes no vote from oneself).
    answer = api.send("post", f"/comments/{comment['id']}/votes", {"value": 1}, REMOTE_ADDR="203.0.113.9")
    assert answer.status_code == 200


def _edit(api: Any, comment: dict[str, Any], token: str) -> None:
    answer = api.send("patch", f"/comments/{comment['id']}", {"body": "Corrigé."}, {"Parvis-Edit-Token": token})
    assert answer.status_code == 200


def _delete(api: Any, comment: dict[str, Any], token: str) -> None:
    assert api.send("delete", f"/comments/{comment['id']}", headers={"Parvis-Edit-Token": token}).status_code == 204


def _take_down(api: Any, comment: dict[str, Any], token: str) -> None:
    set_status(Comment.objects.get(pk=comment["id"]), Status.REJECTED)


def _close(api: Any, comment: dict[str, Any], token: str) -> None:
    thread = Comment.objects.get(pk=comment["id"]).thread
    thread.is_closed = True
    thread.save()


def _reply(api: Any, comment: dict[str, Any], token: str) -> None:
    assert api.post_comment("Une réponse.", parent=comment["id"], name="Bob").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("change", [_vote, _edit, _delete, _take_down, _close, _reply])
def test_every_change_a_reader_can_see_shows_on_the_next_read_of_a_kept_page(api: Any, change: Any) -> None:
    posted = api.post_comment("Premier.").json()
    before = api.thread()
    assert api.thread().content == before.content  # kept
    change(api, posted["comment"], posted["edit_token"])
    after = api.thread()
    assert after.status_code == 200
    assert after.content != before.content and after["ETag"] != before["ETag"]
    # What the next read shows is what a page built afresh shows.
    from parvis.api import thread_pages

    thread_pages.forget_all()
    assert api.thread().json() == after.json()


@pytest.mark.django_db
def test_a_thread_deleted_and_created_again_does_not_show_the_old_page(api: Any) -> None:
    from parvis.threads.models import Thread

    api.post_comment("Ancien fil.")
    old = api.thread().json()
    Thread.objects.all().delete()
    api.post_comment("Nouveau fil.")
    new = api.thread().json()
    assert [c["html"] for c in new["comments"]] == ['<p dir="auto">Nouveau fil.</p>']
    assert new["comments"][0]["id"] != old["comments"][0]["id"] or new["thread"] != old["thread"]


@pytest.mark.django_db
def test_pages_of_different_sorts_and_sizes_are_kept_apart(api: Any) -> None:
    api.post_comment("Un.")
    api.post_comment("Deux.", name="Bob")
    oldest = api.thread(sort="oldest").json()
    newest = api.thread(sort="newest").json()
    one = api.thread(limit=1).json()
    assert [c["html"] for c in oldest["comments"]] == list(reversed([c["html"] for c in newest["comments"]]))
    assert len(one["comments"]) == 1 and one["next_cursor"]
