"""Reading and writing comments through the public API, as the widget does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ORIGIN
from parvis.comments.models import Comment, Status
from parvis.threads.models import Thread

pytestmark = pytest.mark.django_db


def test_a_guest_comment_is_stored_and_shown_in_its_thread(api):
    created = api.post_comment("Bonjour *tout le monde*", name="Zoé")
    assert created.status_code == 201
    body = created.json()
    assert body["comment"]["html"] == '<p dir="auto">Bonjour <em>tout le monde</em></p>'
    assert body["edit_token"]
    page = api.thread().json()
    assert page["thread"]["count"] == 1
    assert [c["author"]["name"] for c in page["comments"]] == ["Zoé"]
    assert Comment.objects.get().body_markdown == "Bonjour *tout le monde*"


def test_the_thread_is_created_on_its_first_comment_with_the_page_title(api):
    assert api.thread("new-story").json()["thread"] == {
        "id": None,
        "key": "new-story",
        "url": "",
        "title": "",
        "closed": False,
        "count": 0,
        "commenting": "anyone",
    }
    assert not Thread.objects.exists()
    api.send(
        "post",
        "/comments",
        {
            "thread": {"key": "new-story", "url": f"{ORIGIN}/new", "title": "Titre"},
            "body": "Premier !",
            "author": {"name": "A"},
        },
    )
    thread = Thread.objects.get()
    assert (thread.key, thread.url, thread.title) == ("new-story", f"{ORIGIN}/new", "Titre")


def test_a_thread_keyed_by_url_ignores_tracking_parameters_and_fragments(api):
    payload = {"thread": {"url": f"{ORIGIN}/2026/story?utm_source=x&id=3#top"}, "body": "ok", "author": {"name": "A"}}
    assert api.send("post", "/comments", payload).status_code == 201
    page = api.get("/thread", {"url": "HTTPS://NEWS.EXAMPLE:443/2026/story?id=3&fbclid=abc"}).json()
    assert page["thread"]["count"] == 1


def test_replies_are_nested_under_their_parent(api):
    parent = api.post_comment("Question ?").json()["comment"]["id"]
    child = api.post_comment("Réponse.", parent=parent, name="Bob").json()["comment"]["id"]
    api.post_comment("Merci !", parent=child, name="Alice")
    tree = api.thread().json()["comments"]
    assert tree[0]["id"] == parent
    assert tree[0]["replies"][0]["id"] == child
    assert tree[0]["replies"][0]["replies"][0]["author"]["name"] == "Alice"
    assert api.thread().json()["thread"]["count"] == 3


def test_top_level_comments_are_paginated_and_later_comments_do_not_shift_pages(api):
    ids = [api.post_comment(f"Commentaire {n}", name=f"R{n}").json()["comment"]["id"] for n in range(5)]
    first = api.thread(limit=2).json()
    assert [c["id"] for c in first["comments"]] == ids[:2]
    assert first["top_level_total"] == 5
    api.post_comment("Arrivé pendant la lecture", name="Late")
    second = api.thread(limit=2, cursor=first["next_cursor"]).json()
    third = api.thread(limit=2, cursor=second["next_cursor"]).json()
    assert [c["id"] for c in second["comments"] + third["comments"]] == ids[2:]
    assert third["next_cursor"] is None


def test_sorting_newest_and_best(api, client, site):
    from conftest import ApiClient

    old = api.post_comment("Ancien", name="A").json()["comment"]["id"]
    new = api.post_comment("Récent", name="B").json()["comment"]["id"]
    for n in range(3):
        voter = ApiClient(client, site)
        assert (
            voter.send("post", f"/comments/{old}/votes", {"value": 1}, REMOTE_ADDR=f"10.0.0.{n + 1}").status_code == 200
        )
    assert [c["id"] for c in api.thread(sort="newest").json()["comments"]] == [new, old]
    assert [c["id"] for c in api.thread(sort="best").json()["comments"]] == [old, new]


def test_counts_for_many_threads_in_one_request(api):
    api.post_comment("a", key="one")
    api.post_comment("b", key="one", name="Bob")
    api.post_comment("c", key="two")
    answer = api.send("post", "/counts", {"keys": ["one", "two", "three", f"{ORIGIN}/one"]})
    assert answer.status_code == 200
    assert answer.json()["counts"] == {"one": 2, "two": 1, "three": 0, f"{ORIGIN}/one": 0}


def test_counts_refuse_more_than_a_hundred_keys(api):
    answer = api.send("post", "/counts", {"keys": [f"k{n}" for n in range(101)]})
    assert answer.status_code == 422
    assert answer.json()["code"] == "too_many_keys"


def test_pre_moderated_comment_is_hidden_from_others_but_shown_to_its_author(api_for, premod_site):
    api = api_for(premod_site)
    created = api.post_comment("En attente")
    assert created.status_code == 201
    assert created.json()["comment"]["status"] == "pending"
    token = created.json()["edit_token"]
    assert api.thread().json()["comments"] == []
    assert api.thread().json()["thread"]["count"] == 0
    mine = api.get("/thread", {"key": "article-1"}, headers={"Parvis-Own-Tokens": f"other {token}"}).json()
    assert [(c["status"], c["own"]) for c in mine["comments"]] == [("pending", True)]


def test_author_edits_own_comment_within_the_window(api):
    created = api.post_comment("Premier jet").json()
    answer = api.send(
        "patch",
        f"/comments/{created['comment']['id']}",
        {"body": "Version **corrigée**"},
        headers={"Parvis-Edit-Token": created["edit_token"]},
    )
    assert answer.status_code == 200
    assert answer.json()["html"] == '<p dir="auto">Version <strong>corrigée</strong></p>'
    assert answer.json()["edited"] is not None


def test_edit_with_a_wrong_token_is_refused_and_changes_nothing(api):
    created = api.post_comment("Original").json()
    answer = api.send(
        "patch",
        f"/comments/{created['comment']['id']}",
        {"body": "Piraté"},
        headers={"Parvis-Edit-Token": "not-the-token"},
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "edit_token_invalid"
    assert Comment.objects.get().body_markdown == "Original"


def test_edit_after_the_window_is_refused(api):
    created = api.post_comment("Original").json()
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=901))
    answer = api.send(
        "patch",
        f"/comments/{created['comment']['id']}",
        {"body": "Trop tard"},
        headers={"Parvis-Edit-Token": created["edit_token"]},
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "edit_window_closed"


def test_a_token_only_opens_its_own_comment(api):
    first = api.post_comment("Le mien").json()
    other = api.post_comment("Celui d'un autre", name="Bob").json()
    answer = api.send(
        "delete", f"/comments/{other['comment']['id']}", headers={"Parvis-Edit-Token": first["edit_token"]}
    )
    assert answer.status_code == 403
    assert Comment.objects.get(pk=other["comment"]["id"]).status == Status.APPROVED


def test_deleting_a_comment_with_replies_keeps_a_placeholder(api):
    parent = api.post_comment("Parent").json()
    api.post_comment("Réponse", parent=parent["comment"]["id"], name="Bob")
    answer = api.send(
        "delete", f"/comments/{parent['comment']['id']}", headers={"Parvis-Edit-Token": parent["edit_token"]}
    )
    assert answer.status_code == 204
    tree = api.thread().json()
    assert tree["comments"][0]["status"] == "deleted"
    assert tree["comments"][0]["html"] == "" and tree["comments"][0]["author"] is None
    assert tree["comments"][0]["replies"][0]["html"] == '<p dir="auto">Réponse</p>'
    assert tree["thread"]["count"] == 1
    assert Comment.objects.get(pk=parent["comment"]["id"]).body_markdown == ""


def test_deleting_a_comment_without_replies_removes_it_from_the_thread(api):
    created = api.post_comment("Seul").json()
    api.send("delete", f"/comments/{created['comment']['id']}", headers={"Parvis-Edit-Token": created["edit_token"]})
    assert api.thread().json()["comments"] == []


def test_votes_count_once_per_reader(api, client, site):
    from conftest import ApiClient

    comment = api.post_comment("Votez").json()["comment"]["id"]
    reader = ApiClient(client, site)
    first = reader.send("post", f"/comments/{comment}/votes", {"value": 1}, REMOTE_ADDR="10.1.1.1")
    assert first.json() == {"upvotes": 1, "downvotes": 0, "score": 1, "your_vote": 1}
    again = reader.send("post", f"/comments/{comment}/votes", {"value": 1}, REMOTE_ADDR="10.1.1.1")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_vote"
    flipped = reader.send("post", f"/comments/{comment}/votes", {"value": -1}, REMOTE_ADDR="10.1.1.1")
    assert flipped.json() == {"upvotes": 0, "downvotes": 1, "score": -1, "your_vote": -1}
    withdrawn = reader.send("post", f"/comments/{comment}/votes", {"value": 0}, REMOTE_ADDR="10.1.1.1")
    assert withdrawn.json()["score"] == 0


def test_an_author_cannot_vote_for_their_own_comment(api):
    comment = api.post_comment("Moi").json()["comment"]["id"]
    answer = api.send("post", f"/comments/{comment}/votes", {"value": 1})
    assert answer.status_code == 409 and answer.json()["code"] == "own_comment_vote"


def test_readers_report_a_comment_once(api, client, site):
    from conftest import ApiClient

    comment = api.post_comment("Signalez-moi").json()["comment"]["id"]
    reader = ApiClient(client, site)
    first = reader.send(
        "post", f"/comments/{comment}/flags", {"reason": "abuse", "note": "insultant"}, REMOTE_ADDR="10.2.2.2"
    )
    assert first.status_code == 201
    again = reader.send("post", f"/comments/{comment}/flags", {"reason": "spam"}, REMOTE_ADDR="10.2.2.2")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_flag"
    assert Comment.objects.get().flag_count == 1


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_comment(api):
    first = api.post_comment("Une seule fois", headers={"Idempotency-Key": "abc-123"})
    second = api.post_comment("Une seule fois", headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Comment.objects.count() == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(api):
    api.post_comment("Un", headers={"Idempotency-Key": "k1"})
    answer = api.post_comment("Deux", headers={"Idempotency-Key": "k1"})
    assert answer.status_code == 422 and answer.json()["code"] == "idempotency_key_reused"
    assert Comment.objects.count() == 1


def test_the_same_text_twice_in_a_row_is_not_published_twice(api):
    assert api.post_comment("Double clic").status_code == 201
    again = api.post_comment("Double clic")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_comment"
    assert Comment.objects.count() == 1


def test_site_rules_are_public(api, site):
    site.policy_text = "Pas d'insultes."
    site.save()
    rules = api.get("").json()
    assert rules["policy"]["text"] == "Pas d'insultes."
    assert rules["guests"] == {"allowed": True, "name_required": True, "email": "optional"}


def test_the_guest_email_is_never_exposed(api):
    api.post_comment("Avec e-mail", author={"name": "Eve", "email": "eve@example.org"})
    assert "eve@example.org" not in api.thread().content.decode()


def test_language_is_detected_for_each_comment(api):
    for n, text in enumerate(
        [
            "Merci pour cet article très intéressant sur la ville",
            "תודה רבה על הכתבה המעניינת הזאת",
            "شكرا جزيلا على هذا المقال المفيد جدا",
            "Thank you for this really interesting article",
        ]
    ):
        api.post_comment(text, name=f"P{n}")
    assert [c["language"] for c in api.thread().json()["comments"]] == ["fr", "he", "ar", "en"]


def test_inline_comment_keeps_its_text_quote_anchor(api):
    anchor = {"exact": "4 millions d’euros", "prefix": "consacrera ", "suffix": " par an"}
    created = api.post_comment("Sur ce chiffre…", anchor=anchor)
    assert created.status_code == 201
    assert api.thread().json()["comments"][0]["anchor"] == anchor


def test_thread_read_uses_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    parents = [api.post_comment(f"P{n}", name=f"N{n}").json()["comment"]["id"] for n in range(6)]
    for n, parent in enumerate(parents):
        api.post_comment(f"R{n}", parent=parent, name=f"M{n}")
    with django_assert_max_num_queries(6):
        assert len(api.thread().json()["comments"]) == 6
