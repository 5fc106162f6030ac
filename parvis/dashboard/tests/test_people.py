"""The newsroom's hold on identities from the dashboard: badges, signing a reader out everywhere, and a thread's
rule and author — each seen by readers through the public API at once, each in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ApiClient
from parvis.accounts.models import Commenter
from parvis.core.models import Site
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import make_user, signed_in
from parvis.identity.tests.publisher import signed_in as signed_in_as
from parvis.moderation.models import AuditEntry
from parvis.threads.models import Thread


@pytest.fixture
def owner(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def test_an_owner_gives_a_journalist_badge_that_readers_see(api: ApiClient, owner: Any) -> None:
    headers = signed_in_as(api, "Camille")
    api.post_comment("Précision de l'autrice.", headers=headers)
    person = Commenter.objects.get(name="Camille")
    page = signed_in(owner).get("/moderate/people/")
    assert page.status_code == 200 and "Camille" in page.content.decode()
    answer = signed_in(owner).post(f"/moderate/people/{person.pk}/badge", {"badge": "journalist"})
    assert answer.status_code == 303
    assert api.thread().json()["comments"][0]["author"]["badge"] == "journalist"
    assert AuditEntry.objects.filter(action="commenter.badge", details__commenter=person.pk).exists()


def test_a_moderator_cannot_give_badges_but_can_sign_a_reader_out(api: ApiClient, moderator: Any) -> None:
    headers = signed_in_as(api, "Troll")
    person = Commenter.objects.get(name="Troll")
    refused = signed_in(moderator).post(f"/moderate/people/{person.pk}/badge", {"badge": "staff"})
    assert refused.status_code == 403
    assert Commenter.objects.get(pk=person.pk).badge == ""
    assert signed_in(moderator).post(f"/moderate/people/{person.pk}/sign-out").status_code == 303
    answer = api.post_comment("Toujours là ?", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "session_invalid")


def test_people_of_another_site_are_out_of_reach(api: ApiClient, other_moderator: Any) -> None:
    signed_in_as(api, "Someone")
    person = Commenter.objects.get(name="Someone")
    assert signed_in(other_moderator).post(f"/moderate/people/{person.pk}/sign-out").status_code == 404
    assert "Someone" not in signed_in(other_moderator).get("/moderate/people/").content.decode()


def test_a_moderator_makes_a_thread_subscribers_only_and_names_its_author(
    api: ApiClient, owner: Any, moderator: Any
) -> None:
    headers = signed_in_as(api, "Lou")
    api.post_comment("Je suis l'auteur de l'article.", headers=headers)
    thread = Thread.objects.get()
    lou = Commenter.objects.get(name="Lou")
    signed_in(owner).post(f"/moderate/people/{lou.pk}/badge", {"badge": "journalist"})
    page = signed_in(moderator).get(f"/moderate/threads/{thread.pk}/")
    assert "Lou (Journalist)" in page.content.decode()
    answer = signed_in(moderator).post(
        f"/moderate/threads/{thread.pk}/access", {"rule": "subscribers", "author": str(lou.pk)}
    )
    assert answer.status_code == 303
    shown = api.thread().json()
    assert shown["thread"]["commenting"] == "subscribers"
    assert shown["comments"][0]["author"]["badge"] == "author"
    assert api.post_comment("Invité").json()["code"] == "subscribers_only"
    assert AuditEntry.objects.filter(action="thread.rule", thread=thread).exists()
    bad = signed_in(moderator).post(f"/moderate/threads/{thread.pk}/access", {"rule": "everyone-and-their-dog"})
    assert bad.status_code == 400


def test_a_journalist_member_cannot_change_a_threads_rule(api: ApiClient, journalist: Any) -> None:
    api.post_comment("Bonjour.")
    thread = Thread.objects.get()
    assert signed_in(journalist).post(f"/moderate/threads/{thread.pk}/access", {"rule": "staff"}).status_code == 403
    assert api.post_comment("Encore bonjour.").status_code == 201
