"""A decision taken in the queue reaches the readers who have the thread open: thread/updates lists the comment
the moderator published and the one they took down, and thread/events wakes the page, both for a decision taken
before the page's stream joined and for one taken while it is open."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client, override_settings

from parvis.comments import live
from parvis.comments.models import Status
from parvis.dashboard.tests.conftest import held, signed_in

HX = {"HX-Request": "true"}


def decide(client: Client, comment: Any, **form: str) -> None:
    seen = comment.decisions.order_by("-created_at", "-pk").first().pk
    answer = client.post(f"/moderate/comments/{comment.pk}/decide", {"seen": seen, **form}, headers=HX)
    assert answer.status_code == 200, answer.content


@pytest.mark.django_db
def test_updates_list_what_the_moderator_published_and_took_down(moderator: Any, site: Any, api: Any) -> None:
    waiting = held(site, "Un avis qui attendait un modérateur.")
    shown = held(site, "Un avis publié d'abord, retiré ensuite.", status=Status.APPROVED)
    page = api.thread().json()
    assert [c["id"] for c in page["comments"]] == [shown.pk]

    client = signed_in(moderator)
    decide(client, waiting, action="publish")
    decide(client, shown, category="insult")

    answer = api.get("/thread/updates", {"key": "article-1", "after": page["latest"], "decided": page["decided"]})
    update = answer.json()
    # The held comment is older than the page's newest one, yet the page hears of it; the removed one goes.
    assert [c["id"] for c in update["comments"]] == [waiting.pk]
    assert update["removed"] == [shown.pk]
    assert update["count"] == 1 and update["decided"] > page["decided"]
    # Asked again from the new cursor, nothing is repeated.
    again = api.get("/thread/updates", {"key": "article-1", "after": update["latest"], "decided": update["decided"]})
    assert again.json()["comments"] == [] and again.json()["removed"] == []


@pytest.mark.django_db(transaction=True)
@override_settings(PARVIS_LIVE_POLL_SECONDS=1, PARVIS_LIVE_MAX_SECONDS=30)
def test_events_wake_an_open_page_when_the_moderator_decides(moderator: Any, site: Any, api: Any) -> None:
    first = held(site, "Premier avis en attente.")
    second = held(site, "Second avis en attente.")
    page = api.thread().json()
    client = signed_in(moderator)
    # Decided after the page was read but before its stream joined: still reported.
    decide(client, first, action="publish")

    async def scenario() -> list[dict[str, int]]:
        events = live.stream(site.pk, "article-1", page["latest"], page["decided"])
        assert (await anext(events)).startswith("retry:")
        told = [await asyncio.wait_for(anext(events), timeout=20)]
        waiting = asyncio.ensure_future(anext(events))
        await asyncio.sleep(1.5)
        assert not waiting.done()  # nothing decided since: no event
        await sync_to_async(decide)(client, second, action="spam")
        told.append(await asyncio.wait_for(waiting, timeout=20))
        await events.aclose()
        await sync_to_async(connections.close_all)()
        return [json.loads(event.strip().split("\n")[1].removeprefix("data: ")) for event in told]

    before, during = asyncio.run(scenario())
    assert before["count"] == 1 and before["latest"] == first.pk and before["decided"] > page["decided"]
    assert during["count"] == 1 and during["decided"] > before["decided"]
    # What the page then fetches with the cursors it was given: the approved comment, and the spam one to drop.
    update = api.get("/thread/updates", {"key": "article-1", "after": 0, "decided": before["decided"]}).json()
    assert [c["id"] for c in update["comments"]] == [first.pk]
    assert update["removed"] == [second.pk]
