"""Thread controls and comment marks from the dashboard: who may use them, and what readers then see through the
public API, the widget's payloads and the server-rendered thread page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parvis.comments.models import Comment, Status
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import held, make_user, signed_in
from parvis.moderation.models import AuditEntry
from parvis.threads.models import Thread

HX = {"HX-Request": "true"}


@pytest.fixture
def owner(django_user_model: Any, site: Any) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def published(api: Any, body: str, **fields: Any) -> int:
    answer = api.post_comment(body, **fields)
    assert answer.status_code == 201, answer.content
    assert answer.json()["comment"]["status"] == "approved"
    return int(answer.json()["comment"]["id"])


def thread_of(comment_id: int) -> Thread:
    return Comment.objects.get(pk=comment_id).thread


def control(client: Client, thread: Thread, name: str, **extra: Any) -> Any:
    return client.post(f"/moderate/threads/{thread.pk}/control", {"control": name, **extra})


def mark(client: Client, comment_id: int, name: str, **headers: Any) -> Any:
    return client.post(f"/moderate/comments/{comment_id}/mark", {"mark": name}, headers=headers or None)


# ---- permissions ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/moderate/threads/"),
        ("get", "/moderate/threads/1/"),
        ("post", "/moderate/threads/1/control"),
        ("post", "/moderate/comments/1/mark"),
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, method: str, path: str) -> None:
    answer = getattr(client, method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_owners_and_moderators_close_and_premoderate_their_threads(request: Any, persona: str, api: Any) -> None:
    thread = thread_of(published(api, "Premier avis."))
    client = signed_in(request.getfixturevalue(persona))
    page = client.get("/moderate/threads/")
    assert page.status_code == 200 and f'data-thread="{thread.pk}"' in page.content.decode()
    assert b'value="close"' in page.content
    assert client.get(f"/moderate/threads/{thread.pk}/").status_code == 200
    assert control(client, thread, "close").status_code == 303
    assert control(client, thread, "premoderate").status_code == 303
    thread.refresh_from_db()
    assert thread.is_closed and thread.premoderated
    assert list(AuditEntry.objects.filter(thread=thread).values_list("action", flat=True).order_by("pk")) == [
        "thread.closed",
        "thread.premoderated",
    ]


@pytest.mark.django_db
def test_a_journalist_sees_threads_but_cannot_change_them(journalist: Any, site: Any, api: Any) -> None:
    comment_id = published(api, "Premier avis.")
    thread = thread_of(comment_id)
    client = signed_in(journalist)
    page = client.get("/moderate/threads/")
    assert page.status_code == 200 and f'data-thread="{thread.pk}"' in page.content.decode()
    assert b'value="close"' not in page.content
    detail = client.get(f"/moderate/threads/{thread.pk}/")
    assert detail.status_code == 200 and b'name="mark"' not in detail.content
    assert control(client, thread, "close").status_code == 403
    assert mark(client, comment_id, "pin").status_code == 403
    thread.refresh_from_db()
    assert not thread.is_closed and not Comment.objects.get(pk=comment_id).pinned
    assert not AuditEntry.objects.filter(action__startswith="thread.").exists()


@pytest.mark.django_db
def test_another_sites_staff_gets_404_and_never_sees_the_thread(other_moderator: Any, api: Any) -> None:
    comment_id = published(api, "Texte de News.")
    thread = thread_of(comment_id)
    client = signed_in(other_moderator)
    assert f'data-thread="{thread.pk}"' not in client.get("/moderate/threads/").content.decode()
    assert client.get(f"/moderate/threads/{thread.pk}/").status_code == 404
    assert client.get(f"/moderate/threads/{10**30}/").status_code == 404
    assert control(client, thread, "close").status_code == 404
    assert mark(client, comment_id, "pin").status_code == 404
    thread.refresh_from_db()
    assert not thread.is_closed


@pytest.mark.django_db
def test_controls_and_marks_need_the_csrf_token(moderator: Any, api: Any) -> None:
    comment_id = published(api, "Un avis.")
    thread = thread_of(comment_id)
    client = signed_in(moderator, enforce_csrf_checks=True)
    assert control(client, thread, "close").status_code == 403
    assert mark(client, comment_id, "pin").status_code == 403
    client.get(f"/moderate/threads/{thread.pk}/")
    token = client.cookies["csrftoken"].value
    assert control(client, thread, "close", csrfmiddlewaretoken=token).status_code == 303
    thread.refresh_from_db()
    assert thread.is_closed


@pytest.mark.django_db
def test_unknown_controls_and_marks_are_a_400(moderator: Any, api: Any) -> None:
    comment_id = published(api, "Un avis.")
    client = signed_in(moderator)
    assert control(client, thread_of(comment_id), "delete").status_code == 400
    assert mark(client, comment_id, "feature").status_code == 400
    assert client.get(f"/moderate/threads/{thread_of(comment_id).pk}/control").status_code == 405


# ---- what readers see ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_closed_thread_refuses_posts_and_still_shows_its_comments(moderator: Any, api: Any, client: Client) -> None:
    comment_id = published(api, "Avant la fermeture.")
    thread = thread_of(comment_id)
    control(signed_in(moderator), thread, "close", next="/moderate/threads/?q=article")
    refused = api.post_comment("Après la fermeture.")
    assert refused.status_code == 409 and refused.json()["code"] == "thread_closed"
    page = api.thread().json()
    assert page["thread"]["closed"] is True and [c["id"] for c in page["comments"]] == [comment_id]
    server_page = client.get("/t/news/", {"key": "article-1"}).content.decode()
    assert "Avant la fermeture." in server_page and "<textarea" not in server_page  # read, but no form
    control(signed_in(moderator), thread, "reopen")
    assert api.post_comment("Rouvert.").status_code == 201


@pytest.mark.django_db
def test_a_premoderated_thread_holds_every_new_comment_even_a_trusted_commenters(
    moderator: Any, api: Any, site: Any
) -> None:
    for n in range(4):  # the same name and email: a commenter with approved comments, trusted by the policy
        published(api, f"Avis numéro {n} sur le sujet.", author={"name": "Ada", "email": "ada@example.org"})
    thread = Thread.objects.get(site=site, key="article-1")
    control(signed_in(moderator), thread, "premoderate")
    answer = api.post_comment("Encore un avis.", author={"name": "Ada", "email": "ada@example.org"})
    assert answer.status_code == 201
    comment = answer.json()["comment"]
    assert comment["status"] == "pending"
    assert [reason["code"] for reason in comment["moderation"]["reasons"]] == ["thread_premoderated"]
    other = api.post_comment("Ailleurs, publié.", key="article-2", author={"name": "Ada", "email": "ada@example.org"})
    assert other.json()["comment"]["status"] == "approved"
    control(signed_in(moderator), thread, "end_premoderation")
    later = api.post_comment("Après.", author={"name": "Ada", "email": "ada@example.org"})
    assert later.json()["comment"]["status"] == "approved"


@pytest.mark.django_db
def test_a_pinned_comment_comes_first_and_a_pick_carries_its_badge_everywhere(
    moderator: Any, api: Any, client: Client
) -> None:
    first = published(api, "Le plus ancien.", name="A")
    second = published(api, "Le deuxième.", name="B")
    third = published(api, "Le plus récent.", name="C")
    staff = signed_in(moderator)
    assert mark(staff, third, "pin").status_code == 303
    assert mark(staff, second, "pick").status_code == 303
    for sort in ("oldest", "newest", "best"):
        assert api.thread(sort=sort).json()["comments"][0]["id"] == third, sort
    comments = {c["id"]: c for c in api.thread().json()["comments"]}
    assert [comments[n]["pinned"] for n in (first, second, third)] == [False, False, True]
    assert [comments[n]["editors_pick"] for n in (first, second, third)] == [False, True, False]
    html = client.get("/t/news/", {"key": "article-1"}).content.decode()
    assert html.index("Le plus récent.") < html.index("Le plus ancien.") < html.index("Le deuxième.")
    assert html.count('class="parvis-mark parvis-pinned">') == 1  # the page is in the site's language (French)
    assert html.count("parvis-mark parvis-pick") == 1
    assert mark(staff, third, "unpin").status_code == 303
    assert [c["id"] for c in api.thread().json()["comments"]] == [first, second, third]
    actions = list(
        AuditEntry.objects.filter(action__startswith="comment.").order_by("pk").values_list("action", "details")
    )
    assert actions == [
        ("comment.pinned", {"pinned": {"before": False, "after": True}}),
        ("comment.picked", {"editors_pick": {"before": False, "after": True}}),
        ("comment.unpinned", {"pinned": {"before": True, "after": False}}),
    ]


@pytest.mark.django_db
def test_a_pinned_reply_heads_its_siblings(moderator: Any, api: Any) -> None:
    parent = published(api, "Question ?")
    replies = [published(api, f"Réponse {n}.", parent=parent, name=f"R{n}") for n in range(3)]
    mark(signed_in(moderator), replies[2], "pin")
    [top] = api.thread().json()["comments"]
    assert [reply["id"] for reply in top["replies"]] == [replies[2], replies[0], replies[1]]


@pytest.mark.django_db
def test_only_a_published_comment_can_be_pinned_or_picked(moderator: Any, site: Any, api: Any) -> None:
    waiting = held(site, "En attente.")
    client = signed_in(moderator)
    for name in ("pin", "pick"):
        answer = mark(client, waiting.pk, name)
        assert answer.status_code == 409 and "published" in answer.content.decode()
    waiting.refresh_from_db()
    assert not waiting.pinned and not waiting.editors_pick
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_pinned_comment_removed_later_loses_its_place_and_badge(moderator: Any, site: Any, api: Any) -> None:
    from parvis.moderation.actions import moderate
    from parvis.moderation.models import Action

    first = published(api, "Premier.", name="A")
    second = published(api, "Deuxième.", name="B")
    published(api, "Réponse au deuxième.", parent=second, name="C")
    mark(signed_in(moderator), second, "pin")
    moderate(Comment.objects.get(pk=second), Action.REJECT, actor=moderator)
    comments = api.thread().json()["comments"]
    assert [c["id"] for c in comments] == [first, second]  # a placeholder keeps its place in the conversation
    assert comments[1]["status"] == "removed" and comments[1]["pinned"] is False


@pytest.mark.django_db
def test_pin_and_pick_from_the_queue_swap_the_item_in_place(moderator: Any, site: Any) -> None:
    comment = held(site, "Un avis publié.", status=Status.APPROVED)
    client = signed_in(moderator)
    queue = client.get("/moderate/", {"tab": "all"}).content.decode()
    assert f'/moderate/comments/{comment.pk}/mark"' in queue and f"/moderate/threads/{comment.thread_id}/" in queue
    answer = mark(client, comment.pk, "pin", **HX)
    assert answer.status_code == 200
    item = answer.content.decode()
    assert item.startswith(f'<article id="item-{comment.pk}"') and 'value="unpin"' in item and "Pinned" in item
    pending = held(site, "En attente.", key="article-2")
    assert f'/moderate/comments/{pending.pk}/mark"' not in client.get("/moderate/").content.decode()


@pytest.mark.django_db
def test_the_thread_list_counts_published_and_held_and_searches_title_and_key(moderator: Any, site: Any) -> None:
    held(site, "Publié.", status=Status.APPROVED, key="budget-2027")
    held(site, "Retenu 1.", key="budget-2027")
    held(site, "Retenu 2.", key="budget-2027")
    held(site, "Ailleurs.", key="meteo")
    client = signed_in(moderator)
    page = client.get("/moderate/threads/", {"q": "BUDGET"}).content.decode()
    assert "Title of budget-2027" in page and "Title of meteo" not in page
    assert "1 published" in page and "2 held" in page
    by_title = client.get("/moderate/threads/", {"q": "of meteo"}).content.decode()
    assert "Title of meteo" in by_title and "budget-2027" not in by_title


@pytest.mark.django_db
def test_a_thread_page_read_with_pinned_comments_stays_one_query_per_page(
    moderator: Any, api: Any, django_assert_max_num_queries: Any
) -> None:
    parents = [published(api, f"P{n}", name=f"N{n}") for n in range(6)]
    for n, parent in enumerate(parents):
        published(api, f"R{n}", parent=parent, name=f"M{n}")
    staff = signed_in(moderator)
    mark(staff, parents[3], "pin")
    mark(staff, parents[4], "pick")
    with django_assert_max_num_queries(6):
        comments = api.thread().json()["comments"]
    assert comments[0]["id"] == parents[3] and len(comments) == 6
