"""Atom feeds of recent approved comments, per site and per thread, read the way a feed reader reads them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.test import Client

from conftest import ApiClient
from parvis.comments.models import Comment, Status
from parvis.moderation.actions import set_status
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(answer: Any) -> ElementTree.Element:
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(answer.content)  # noqa: S314 (our own server's feed, not untrusted input)


def entries(answer: Any) -> list[ElementTree.Element]:
    return parse(answer).findall(f"{ATOM}entry")


def post(api: ApiClient, body: str, key: str = "article-1", **fields: Any) -> int:
    answer = api.post_comment(body, key=key, **fields)
    assert answer.status_code == 201, answer.content
    return int(answer.json()["comment"]["id"])


def test_the_site_feed_lists_approved_comments_newest_first(api: ApiClient, client: Client) -> None:
    post(api, "Premier avis.", name="Bob")
    post(api, "Avis sur un autre article.", key="article-2", name="Carol")
    rejected = post(api, "Un avis bientôt retiré.", name="Dan")
    set_status(Comment.objects.get(pk=rejected), Status.REJECTED)
    found = entries(client.get("/notifications/feeds/news/comments.atom"))
    contents = [str(entry.findtext(f"{ATOM}summary")) for entry in found]
    assert len(found) == 2
    assert "Avis sur un autre article." in contents[0] and "Premier avis." in contents[1]
    assert [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in found] == ["Carol", "Bob"]


def test_a_thread_feed_with_an_awkward_key_is_reached_from_the_link_the_api_gives(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    key = "dossier/élection 2027?&x=1#une"
    post(api, "Un avis sur l'élection.", key=key, name="Bob")
    post(api, "Un avis ailleurs.", key="article-2", name="Carol")
    answer = api.send(
        "post", "/subscriptions", {"email": "alice@example.org", "kind": "thread", "thread": {"key": key}}
    )
    assert answer.status_code == 202, answer.content
    feed = urlsplit(answer.json()["feed"])
    assert "#" not in answer.json()["feed"] and " " not in answer.json()["feed"]
    found = entries(client.get(f"{feed.path}?{feed.query}"))
    assert [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in found] == ["Bob"]
    self_link = parse(client.get(f"{feed.path}?{feed.query}")).find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and urlsplit(self_link.attrib["href"]).query == feed.query


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/notifications/feeds/nowhere/comments.atom", 404, "site_not_found"),
        ("/notifications/feeds/nowhere/thread.atom?key=article-1", 404, "site_not_found"),
        ("/notifications/feeds/news/thread.atom?key=no-such-article", 404, "thread_not_found"),
        ("/notifications/feeds/news/thread.atom", 422, "validation_failed"),
    ],
)
def test_a_feed_that_does_not_exist_is_a_problem_with_a_stable_code(
    api: ApiClient, client: Client, path: str, status: int, code: str
) -> None:
    post(api, "Premier avis.")
    answer = client.get(path)
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
