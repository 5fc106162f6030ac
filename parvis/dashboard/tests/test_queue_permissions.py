"""Who may use the queue's new views: the editor (`e`), bulk decisions (`x`), the thread around an item, the
"N new" count. Owners and moderators of the comment's site may write; a journalist reads but gets 403 on every
write; another site's staff find nothing (404, or nothing applied in a bulk); anonymous visitors sign in first;
every POST needs the CSRF token."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from parvis.comments.actions.moderator_edit import text_version
from parvis.comments.models import Status
from parvis.dashboard.bulk import newest_decision_id
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import held, make_user, signed_in

HX = {"HX-Request": "true"}


@pytest.fixture
def owner(django_user_model: Any, site: Any) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def edit_form(client: Client, comment: Any) -> Any:
    return client.get(f"/moderate/comments/{comment.pk}/edit", headers=HX)


def save_edit(client: Client, comment: Any, body: str = "Texte revu.") -> Any:
    data = {"body": body, "seen": text_version(comment.body_markdown)}
    return client.post(f"/moderate/comments/{comment.pk}/edit", data, headers=HX)


def bulk_approve(client: Client, *comments: Any) -> Any:
    data = {"ids": ",".join(str(c.pk) for c in comments), "action": "publish", "as_of": newest_decision_id()}
    return client.post("/moderate/bulk", data)


def context(client: Client, comment: Any) -> Any:
    return client.get(f"/moderate/comments/{comment.pk}/context", headers=HX)


def new(client: Client) -> Any:
    return client.get("/moderate/new", {"since": f"{time.time() - 60:.3f}"}, headers=HX)


def matching(client: Client) -> Any:
    return client.get("/moderate/bulk/matching", {"tab": "pending"})


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_owners_and_moderators_edit_and_decide_in_bulk(persona: str, request: Any, site: Any) -> None:
    client = signed_in(request.getfixturevalue(persona))
    comment, other = held(site, "Un texte."), held(site, "Un autre.")
    assert edit_form(client, comment).status_code == 200
    assert save_edit(client, comment).status_code == 200
    assert context(client, comment).status_code == 200
    assert new(client).status_code == 200
    assert matching(client).json()["ids"] == [comment.pk, other.pk]
    assert bulk_approve(client, comment, other).json() == {"done": 2, "already_decided": 0, "unavailable": 0}


@pytest.mark.django_db
def test_a_journalist_reads_the_thread_around_but_every_write_is_refused(journalist: Any, site: Any) -> None:
    client = signed_in(journalist)
    comment = held(site, "Un texte.")
    assert edit_form(client, comment).status_code == 403
    assert save_edit(client, comment).status_code == 403
    assert bulk_approve(client, comment).status_code == 403
    assert matching(client).json()["ids"] == []  # nothing a journalist could decide on
    assert context(client, comment).status_code == 200
    assert new(client).status_code == 200
    comment.refresh_from_db()
    assert (comment.status, comment.body_markdown, comment.moderator_edited_at) == (Status.PENDING, "Un texte.", None)


@pytest.mark.django_db
def test_another_sites_staff_find_nothing_and_change_nothing(other_moderator: Any, other_site: Any, site: Any) -> None:
    client = signed_in(other_moderator)
    theirs, mine = held(site, "Un texte."), held(other_site, "Le leur.")
    assert edit_form(client, theirs).status_code == 404
    assert save_edit(client, theirs).status_code == 404
    assert context(client, theirs).status_code == 404
    # A bulk mixing another site's comment with one of their own: only their own is decided.
    assert bulk_approve(client, theirs, mine).json() == {"done": 1, "already_decided": 0, "unavailable": 1}
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.status, theirs.body_markdown, mine.status) == (Status.PENDING, "Un texte.", Status.APPROVED)
    assert theirs.decisions.count() == 1
    assert matching(client).json()["ids"] == []
    assert "new in the queue" not in new(client).content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, site: Any) -> None:
    comment = held(site, "Un texte.")
    for answer in (
        edit_form(client, comment),
        save_edit(client, comment),
        bulk_approve(client, comment),
        context(client, comment),
        new(client),
        matching(client),
    ):
        assert answer.status_code == 302 and "/moderate/login/" in answer["Location"]
    comment.refresh_from_db()
    assert (comment.status, comment.body_markdown) == (Status.PENDING, "Un texte.")


@pytest.mark.django_db
def test_edits_and_bulk_decisions_need_the_csrf_token(moderator: Any, site: Any) -> None:
    client = signed_in(moderator, enforce_csrf_checks=True)
    comment = held(site, "Un texte.")
    assert save_edit(client, comment).status_code == 403
    assert bulk_approve(client, comment).status_code == 403
    comment.refresh_from_db()
    assert (comment.status, comment.body_markdown) == (Status.PENDING, "Un texte.")


@pytest.mark.django_db
def test_the_new_count_refuses_a_bad_time_stamp_with_a_message(moderator: Any) -> None:
    answer = signed_in(moderator).get("/moderate/new", {"since": "yesterday"})
    assert answer.status_code == 400 and "time stamp" in answer.content.decode()
