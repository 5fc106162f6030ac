"""Personas (a moderator, a journalist, an owner of another site, a superuser) and comments in the queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.dashboard.models import Membership, Role
from parvis.moderation.models import Decision, Stage
from parvis.threads.models import Thread

PASSWORD = "correct horse battery staple"


def make_user(django_user_model: Any, name: str, **extra: Any) -> Any:
    return django_user_model.objects.create_user(username=name, password=PASSWORD, **extra)


def signed_in(user: Any, **client_options: Any) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    return client


@pytest.fixture
def other_site(db: Any) -> Site:
    return Site.objects.create(slug="other", name="Other News")


@pytest.fixture
def moderator(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "mona")
    Membership.objects.create(user=user, site=site, role=Role.MODERATOR)
    return user


@pytest.fixture
def journalist(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "jules")
    Membership.objects.create(user=user, site=site, role=Role.JOURNALIST)
    return user


@pytest.fixture
def other_moderator(django_user_model: Any, other_site: Site) -> Any:
    user = make_user(django_user_model, "otto")
    Membership.objects.create(user=user, site=other_site, role=Role.OWNER)
    return user


@pytest.fixture
def superuser(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password=PASSWORD)


def held(
    site: Site,
    body: str,
    *,
    scores: dict[str, float] | None = None,
    categories: list[str] | None = None,
    reasons: list[dict[str, Any]] | None = None,
    status: str = Status.PENDING,
    language: str = "fr",
    key: str = "article-1",
    **fields: Any,
) -> Comment:
    """A comment as the pipeline leaves it: a status and an automatic decision with scores and reasons."""
    from django.utils import timezone

    thread, _ = Thread.objects.get_or_create(
        site=site, key=key, defaults={"url": f"https://news.example/{key}", "title": f"Title of {key}"}
    )
    comment = Comment.objects.create(
        thread=thread,
        body_markdown=body,
        body_html=f"<p>{body}</p>",
        status=status,
        language=language,
        created_at=fields.pop("created_at", timezone.now()),
        author_name=fields.pop("author_name", "Alice"),
        **fields,
    )
    if status == Status.APPROVED:
        Thread.objects.filter(pk=thread.pk).update(comment_count=F("comment_count") + 1)
    Decision.objects.create(
        comment=comment,
        stage=Stage.SYNC,
        action={"pending": "hold", "approved": "publish", "rejected": "reject", "spam": "spam"}[status],
        scores=scores or {"insult": 0.1},
        categories=categories or [],
        reasons=reasons or [],
        language=language,
    )
    return comment
