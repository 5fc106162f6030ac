"""Who may comment: the site's rule, a thread's own rule, and what a refused reader is told."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ApiClient
from parvis.accounts.models import Badge, Commenter
from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import make_user
from parvis.identity import newsroom
from parvis.identity.models import SignInSettings
from parvis.identity.tests.publisher import SECRET, signed_in
from parvis.threads import actions
from parvis.threads.models import Thread


@pytest.fixture
def owner(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


@pytest.fixture
def members(site: Site) -> Site:
    SignInSettings.objects.create(site=site, sso_secret=SECRET)
    return site


session = signed_in


@pytest.mark.parametrize(
    ("rule", "code"),
    [("signed_in", "sign_in_required"), ("subscribers", "subscribers_only"), ("staff", "staff_only")],
)
def test_guests_are_refused_where_the_site_wants_more(api: ApiClient, members: Site, rule: str, code: str) -> None:
    Site.objects.filter(pk=members.pk).update(who_may_comment=rule)
    answer = api.post_comment("Je suis un invité.")
    assert (answer.status_code, answer.json()["code"]) == (403, code)
    assert not Comment.objects.exists()
    assert api.get("").json()["commenting"]["rule"] == rule
    assert api.thread().json()["thread"]["commenting"] == rule


def test_a_subscribers_only_thread_on_an_open_site(api: ApiClient, members: Site) -> None:
    api.post_comment("Premier commentaire.", key="paywalled")
    Thread.objects.filter(key="paywalled").update(who_may_comment="subscribers")
    assert api.thread("paywalled").json()["thread"]["commenting"] == "subscribers"
    assert api.post_comment("Invité", key="paywalled").json()["code"] == "subscribers_only"
    reader = api.post_comment("Lecteur", key="paywalled", headers=session(api, "nico"))
    assert (reader.status_code, reader.json()["code"]) == (403, "subscribers_only")
    subscriber = api.post_comment("Abonnée", key="paywalled", headers=session(api, "sam", ["subscriber"]))
    assert subscriber.status_code == 201
    assert api.post_comment("Ailleurs, tout le monde.", key="open-story").status_code == 201


def test_staff_only_threads_take_the_newsrooms_badges(api: ApiClient, members: Site) -> None:
    Site.objects.filter(pk=members.pk).update(who_may_comment="staff")
    headers = session(api, "reporter")
    assert api.post_comment("Précision", headers=headers).json()["code"] == "staff_only"
    Commenter.objects.filter(name="Reporter").update(badge=Badge.JOURNALIST)
    posted = api.post_comment("Précision de la rédaction.", headers=headers)
    assert posted.status_code == 201
    assert posted.json()["comment"]["author"]["badge"] == "journalist"


def test_the_article_author_is_recognised_in_their_thread_only(api: ApiClient, members: Site, owner: Any) -> None:
    headers = session(api, "lea")
    api.post_comment("Merci de vos retours.", key="her-story", headers=headers)
    api.post_comment("Sur un autre article.", key="other-story", headers=headers)
    assert api.thread("her-story").json()["comments"][0]["author"]["badge"] is None
    actions.set_author(Thread.objects.get(key="her-story"), Commenter.objects.get(name="Lea"), actor=owner)
    assert api.thread("her-story").json()["comments"][0]["author"]["badge"] == "author"
    assert api.thread("other-story").json()["comments"][0]["author"]["badge"] is None


def test_a_badge_given_later_shows_on_the_kept_thread_page(api: ApiClient, members: Site, owner: Any) -> None:
    """Thread pages are kept until the thread changes: a badge is such a change."""
    headers = session(api, "editor")
    api.post_comment("Note de la rédaction.", headers=headers)
    assert api.thread().json()["comments"][0]["author"]["badge"] is None
    newsroom.set_badge(Commenter.objects.get(name="Editor"), Badge.STAFF, actor=owner)
    assert api.thread().json()["comments"][0]["author"]["badge"] == "staff"


def test_guest_names_that_pass_for_the_newsroom_are_refused(api: ApiClient, members: Site) -> None:
    session(api, "lea")
    Commenter.objects.filter(name="Lea").update(badge=Badge.JOURNALIST)
    for name in ("Modérateur", "M0d3rat0r", "m o d e r a t o r", "La Rédaction", "Léa", "LEA", "Lеa", "NEWS EXAMPLE"):
        answer = api.post_comment("Faites-moi confiance.", name=name)
        assert (answer.status_code, answer.json()["code"]) == (422, "name_impersonates"), name
    for name in ("Léon", "Badminton", "Jean-Paul", "מיכל", "أحمد"):
        assert api.post_comment(f"Bonjour de {name}.", name=name).status_code == 201, name


def test_a_display_name_changes_once_per_cooldown_and_never_into_the_newsroom(api: ApiClient, members: Site) -> None:
    headers = session(api, "nico")
    refused = api.send("patch", "/auth/me", {"name": "Admin"}, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "name_impersonates")
    changed = api.send("patch", "/auth/me", {"name": "Nicolas"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["name_changeable_at"] is not None
    again = api.send("patch", "/auth/me", {"name": "Nico"}, headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "name_change_too_soon")
    assert api.get("/auth/me", headers=headers).json()["name"] == "Nicolas"


def test_a_hidden_profile_keeps_the_comments_off_it(api: ApiClient, members: Site) -> None:
    headers = session(api, "discreet")
    api.post_comment("Un avis.", headers=headers)
    me: dict[str, Any] = api.get("/auth/me", headers=headers).json()
    assert api.get(f"/commenters/{me['id']}").json()["comment_count"] == 1
    api.send("patch", "/auth/me", {"profile_public": False}, headers=headers)
    hidden = api.get(f"/commenters/{me['id']}").json()
    assert hidden["public"] is False and hidden["comments"] == [] and hidden["name"] == "Discreet"
    page = api.client.get(f"/t/{members.slug}/people/{me['id']}/").content.decode()
    assert "Discreet" in page and "keeps their comments off their profile" in page and "Un avis." not in page
    guest = api.post_comment("Invité.", name="Guest").json()["comment"]["author"]
    assert guest["profile"] is None and guest["verified"] is False
    guest_id = Comment.objects.get(body_markdown="Invité.").commenter_id
    assert api.client.get(f"/t/{members.slug}/people/{guest_id}/").status_code == 404


def test_a_profile_page_lists_the_published_comments(api: ApiClient, members: Site) -> None:
    headers = session(api, "open", ["subscriber"])
    api.post_comment("**Bien vu**, merci.", headers=headers)
    me: dict[str, Any] = api.get("/auth/me", headers=headers).json()
    page = api.client.get(f"/t/{members.slug}/people/{me['id']}/").content.decode()
    assert "<strong>Bien vu</strong>" in page and "Subscriber" in page and "1 published comment" in page
    assert api.client.get(f"/t/{members.slug}/people/99999999999999999999/").status_code == 404
