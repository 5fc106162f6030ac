"""Bans: a visible ban refuses with `banned`, a shadow ban stores the comment where only its author sees it, and
bans end when they expire or are lifted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from parvis.accounts.models import Ban, BanKind, Commenter
from parvis.comments.models import Comment, Status
from parvis.core.clients import keyed_hash
from parvis.moderation.models import Decision

LEA = {"name": "Léa", "email": "lea@example.org"}


@pytest.mark.django_db
def test_a_visibly_banned_email_is_refused_and_nothing_is_stored(api: Any, site: Any) -> None:
    Ban.objects.create(site=site, kind=BanKind.EMAIL, value="lea@example.org", reason="insultes répétées")
    answer = api.post_comment("Encore moi, malgré tout.", author={"name": "Léa", "email": "Lea@Example.org"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "banned"
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_ban_on_the_hashed_address_until_tomorrow_says_until_when(api: Any, site: Any) -> None:
    until = timezone.now() + timedelta(days=1)
    Ban.objects.create(site=site, kind=BanKind.IP, value=keyed_hash("ip:127.0.0.1"), until=until)
    answer = api.post_comment("Un avis depuis la même adresse.")
    assert answer.status_code == 403
    assert f"until {until:%Y-%m-%d %H:%M} UTC" in answer.json()["detail"]


@pytest.mark.django_db
def test_an_expired_or_lifted_ban_no_longer_stops_anyone(api: Any, site: Any) -> None:
    Ban.objects.create(
        site=site, kind=BanKind.EMAIL, value="lea@example.org", until=timezone.now() - timedelta(hours=1)
    )
    Ban.objects.create(site=site, kind=BanKind.IP, value=keyed_hash("ip:127.0.0.1"), lifted_at=timezone.now())
    assert api.post_comment("De retour, et poli.", author=LEA).status_code == 201


@pytest.mark.django_db
def test_a_shadow_banned_commenter_sees_their_comment_waiting_and_nobody_else_sees_it(api: Any, site: Any) -> None:
    first = api.post_comment("Premier commentaire, avant le bannissement.", author=LEA).json()
    commenter = Commenter.objects.get(email="lea@example.org")
    Ban.objects.create(site=site, kind=BanKind.COMMENTER, value=str(commenter.pk), shadow=True)
    posted = api.post_comment("Un commentaire après le bannissement.", author=LEA)
    assert posted.status_code == 201
    comment = posted.json()["comment"]
    assert comment["status"] == "pending"
    # The author is not told why: that is what makes the ban a shadow one.
    assert comment["moderation"]["reasons"] == []
    assert Decision.objects.get(comment_id=comment["id"]).categories == ["shadow_ban"]
    assert Comment.objects.get(pk=comment["id"]).status == Status.PENDING
    others = api.thread().json()["comments"]
    assert [c["id"] for c in others] == [first["comment"]["id"]]
    own = api.get("/thread", {"key": "article-1"}, headers={"Parvis-Own-Tokens": posted.json()["edit_token"]}).json()
    assert comment["id"] in [c["id"] for c in own["comments"]]
