"""The queue's search and filters: full-text search in the four languages (PostgreSQL's 'simple' configuration on a
GIN index, icontains on SQLite), thread, date range and status, each compared with the database; values that cannot
be read are dropped with a message, never a 500. Also the thread around an item and the "N new" count."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from parvis.comments.models import Comment, Flag, Status
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.dashboard.tests.test_queue import listed
from parvis.dashboard.views.context import AROUND


def day(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def multilingual(site: Any) -> dict[str, Any]:
    return {
        "fr": held(site, "Le budget municipal est voté sans débat.", language="fr"),
        "en": held(site, "The budget was passed without any debate.", language="en"),
        "he": held(site, "התקציב אושר בלי שום דיון.", language="he"),
        "ar": held(site, "تمت الموافقة على الميزانية دون نقاش.", language="ar"),
        "other": held(site, "Rien à voir avec les finances.", language="fr"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("budget", {"fr", "en"}), ("התקציב", {"he"}), ("الميزانية", {"ar"}), ("budget débat", {"fr"})],
)
def test_the_text_search_finds_words_in_every_language(
    moderator: Any, multilingual: dict[str, Any], query: str, expected: set[str]
) -> None:
    found = set(listed(signed_in(moderator).get("/moderate/", {"q": query})))
    assert found == {multilingual[name].pk for name in expected}


@pytest.mark.django_db
def test_a_search_made_only_of_punctuation_neither_fails_nor_matches_everything(
    moderator: Any, multilingual: dict[str, Any]
) -> None:
    answer = signed_in(moderator).get("/moderate/", {"q": "&|!:*()'"})
    assert answer.status_code == 200 and listed(answer) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_on_postgresql_the_search_is_full_text_on_the_gin_index(moderator: Any, multilingual: dict[str, Any]) -> None:
    from parvis.dashboard.views.queue import queue_queryset, search

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'comment_body_fulltext'")
        (definition,) = cursor.fetchone()
        assert "gin" in definition and "to_tsvector('simple'" in definition
        cursor.execute("SET enable_seqscan = off")
    plan = search(Comment.objects.all(), "budget").explain()
    assert "comment_body_fulltext" in plan
    # A prefix finds whole words (full text, not substrings): "budg" finds "budget", "udget" does not.
    assert {c.pk for c in search(Comment.objects.all(), "budg")} == {multilingual["fr"].pk, multilingual["en"].pk}
    assert not search(Comment.objects.all(), "udget").exists()
    assert queue_queryset  # the queue uses the same function


@pytest.mark.django_db
def test_the_thread_filter_lists_the_threads_comments_only(moderator: Any, site: Any) -> None:
    for n in range(3):
        held(site, f"Premier article {n}.", key="article-1")
        held(site, f"Second article {n}.", key="article-2")
    thread_id = Comment.objects.filter(thread__key="article-2").values_list("thread_id", flat=True).first()
    found = listed(signed_in(moderator).get("/moderate/", {"thread": str(thread_id)}))
    assert sorted(found) == sorted(Comment.objects.filter(thread_id=thread_id).values_list("pk", flat=True))
    assert len(found) == 3


@pytest.mark.django_db
def test_the_date_range_includes_both_days(moderator: Any, site: Any) -> None:
    for text in ("2026-11-01T23:59", "2026-11-02T00:00", "2026-11-03T12:00", "2026-11-04T00:00"):
        held(site, f"Posté le {text}.", created_at=day(text))
    found = listed(signed_in(moderator).get("/moderate/", {"from": "2026-11-02", "to": "2026-11-03"}))
    expected = Comment.objects.filter(created_at__gte=day("2026-11-02T00:00"), created_at__lt=day("2026-11-04T00:00"))
    assert sorted(found) == sorted(expected.values_list("pk", flat=True)) and len(found) == 2


@pytest.mark.django_db
def test_the_status_filter_narrows_the_all_tab(moderator: Any, site: Any) -> None:
    for status in (Status.PENDING, Status.APPROVED, Status.APPROVED, Status.REJECTED, Status.SPAM):
        held(site, f"Un commentaire {status}.", status=status)
    client = signed_in(moderator)
    for status in (Status.APPROVED, Status.REJECTED):
        found = listed(client.get("/moderate/", {"tab": "all", "status": status}))
        assert sorted(found) == sorted(Comment.objects.filter(status=status).values_list("pk", flat=True))
    # On another tab the tab decides: the status filter does not apply.
    assert len(listed(client.get("/moderate/", {"tab": "pending", "status": "approved"}))) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"thread": "abc"}, "The thread filter must be a thread number"),
        ({"thread": "99999999999999999999999"}, "The thread filter must be a thread number"),
        ({"from": "2026-13-45"}, "is not a date"),
        ({"to": "yesterday"}, "is not a date"),
        ({"tab": "all", "status": "lost"}, "Unknown status"),
    ],
)
def test_a_filter_that_cannot_be_read_is_dropped_with_a_message(
    moderator: Any, site: Any, params: dict[str, str], message: str
) -> None:
    comment = held(site, "Toujours listé.")
    answer = signed_in(moderator).get("/moderate/", params)
    assert answer.status_code == 200 and message in answer.content.decode()
    assert listed(answer) == [comment.pk]


@pytest.mark.django_db
def test_the_thread_around_an_item_shows_neighbours_and_replies_in_one_query(
    moderator: Any, site: Any, django_assert_num_queries: Any
) -> None:
    start = timezone.now() - timedelta(hours=1)
    earlier = [held(site, f"Avant {n}.", created_at=start + timedelta(minutes=n)) for n in range(4)]
    comment = held(site, "Le commentaire en attente.", created_at=start + timedelta(minutes=10))
    replies = [
        held(site, f"Réponse {n}.", parent=comment, created_at=start + timedelta(minutes=11 + n)) for n in range(2)
    ]
    later = [held(site, f"Après {n}.", created_at=start + timedelta(minutes=20 + n)) for n in range(4)]
    held(site, "Un autre article.", key="article-2", created_at=start + timedelta(minutes=10))
    client = signed_in(moderator)
    client.get("/moderate/")  # warm the session
    with django_assert_num_queries(6):  # session, user, sites, second-factor rule, the comment, neighbours and replies
        html = client.get(f"/moderate/comments/{comment.pk}/context").content.decode()
    shown = [int(pk) for pk in re.findall(r'data-comment="(\d+)"', html)]
    assert shown == [c.pk for c in earlier[-AROUND:]] + [c.pk for c in later[:AROUND]] + [c.pk for c in replies]
    assert "Un autre article." not in html


@pytest.mark.django_db
def test_the_new_count_counts_what_arrived_in_the_tab_since_the_page_was_read(moderator: Any, site: Any) -> None:
    old = held(site, "Déjà là.", created_at=timezone.now() - timedelta(hours=2))
    published = held(site, "Publié il y a longtemps.", status=Status.APPROVED)
    since = f"{timezone.now().timestamp():.6f}"
    client = signed_in(moderator)
    assert client.get("/moderate/new", {"since": since}).content.decode().strip() == ""
    held(site, "Nouveau 1.")
    held(site, "Nouveau 2.")
    assert "2 new in the queue" in client.get("/moderate/new", {"since": since}).content.decode()
    Flag.objects.create(comment=published, reporter_key="r1", reason="abuse")
    reported = client.get("/moderate/new", {"since": since, "tab": "reported"}).content.decode()
    assert "1 new in the queue" in reported and 'href="?tab=reported&amp;sort=risk"' in reported
    assert old.pk  # older than the page: not new
