"""Live updates: an open page is told when a comment is published, without reloading."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import override_settings

from parvis.comments import live
from parvis.comments.models import Comment, Status
from parvis.threads.models import Thread

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.django_db(transaction=True)
@override_settings(PARVIS_LIVE_POLL_SECONDS=1, PARVIS_LIVE_MAX_SECONDS=30)
def test_a_reader_is_told_of_a_comment_published_while_the_page_is_open(api, site):
    first = api.post_comment("Avant").json()["comment"]["id"]

    async def scenario() -> str:
        events = live.stream(site.pk, "article-1", first)
        assert (await anext(events)).startswith("retry:")
        waiting = asyncio.ensure_future(anext(events))
        await asyncio.sleep(1.5)  # let the watcher see the thread as it is before the new comment
        assert not waiting.done()  # nothing new yet: no event
        second = await sync_to_async(api.post_comment)("Pendant", name="Bob")
        assert second.status_code == 201
        event = await asyncio.wait_for(waiting, timeout=20)
        await events.aclose()
        # The watcher's queries ran in asgiref's worker thread: close its connection so the test
        # database can be dropped at the end of the run.
        await sync_to_async(connections.close_all)()
        return event

    event = asyncio.run(scenario())
    name, data = event.strip().split("\n")
    assert name == "event: comments"
    assert json.loads(data.removeprefix("data: ")) == {"count": 2, "latest": first + 1}


def told_within(site_id: int, after: int, change, timeout: float = 10) -> dict:
    """Open a stream, let its watcher settle, make ``change`` (in a thread), and return the event it gets."""

    async def scenario() -> str:
        events = live.stream(site_id, "article-1", after)
        assert (await anext(events)).startswith("retry:")
        waiting = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.5)  # the watcher's first look, before the change
        assert not waiting.done()
        await sync_to_async(change)()
        try:
            return await asyncio.wait_for(waiting, timeout=timeout)
        finally:
            await events.aclose()
            await sync_to_async(connections.close_all)()

    event = asyncio.run(scenario())
    name, data = event.strip().split("\n")
    assert name == "event: comments"
    return json.loads(data.removeprefix("data: "))


@pytest.mark.django_db(transaction=True)
@override_settings(PARVIS_LIVE_POLL_SECONDS=120, PARVIS_LIVE_MAX_SECONDS=300)
def test_a_published_comment_reaches_open_pages_at_once_not_at_the_next_poll(api, site):
    # The poll comes every two minutes here: only the commit's announcement can deliver within ten seconds.
    first = api.post_comment("Avant").json()["comment"]["id"]
    told = told_within(site.pk, first, lambda: api.post_comment("Pendant", name="Bob"))
    assert told == {"count": 2, "latest": first + 1}


@pytest.mark.django_db(transaction=True)
@override_settings(PARVIS_LIVE_POLL_SECONDS=120, PARVIS_LIVE_MAX_SECONDS=300, PARVIS_REDIS_URL=REDIS_URL)
def test_with_redis_another_process_s_announcement_wakes_this_process_s_readers(api, site):
    # Another app process published the comment (no signal here: a bare UPDATE) and announced it on the channel.
    first = api.post_comment("Avant").json()["comment"]["id"]
    held = api.post_comment("Retenu", name="Bob").json()["comment"]["id"]
    Comment.objects.filter(pk=held).update(status=Status.PENDING)
    Thread.objects.filter(site=site).update(comment_count=1)

    def other_process_publishes() -> None:
        Comment.objects.filter(pk=held).update(status=Status.APPROVED)
        Thread.objects.filter(site=site).update(comment_count=2)
        redis.Redis.from_url(REDIS_URL).publish(live.CHANNEL, b"1")

    told = told_within(site.pk, first, other_process_publishes)
    assert told == {"count": 2, "latest": held}


@pytest.mark.django_db
def test_updates_list_only_what_is_newer_than_what_the_reader_has(api):
    first = api.post_comment("Un").json()["comment"]["id"]
    api.post_comment("Deux", name="Bob")
    answer = api.get("/thread/updates", {"key": "article-1", "after": first}).json()
    assert [c["html"] for c in answer["comments"]] == ['<p dir="auto">Deux</p>']
    assert answer["count"] == 2 and answer["latest"] == first + 1
    nothing = api.get("/thread/updates", {"key": "none", "after": 0}).json()
    assert {name: nothing[name] for name in ("count", "latest", "comments", "removed")} == {
        "count": 0,
        "latest": 0,
        "comments": [],
        "removed": [],
    }


@pytest.mark.django_db
def test_preview_shows_the_html_the_comment_would_get(api):
    answer = api.send("post", "/preview", {"body": "**gras** <script>x</script>"})
    assert answer.json() == {"html": '<p dir="auto"><strong>gras</strong> &lt;script&gt;x&lt;/script&gt;</p>'}
    assert api.send("post", "/preview", {"body": " "}).json()["code"] == "body_empty"
