"""The queue index follows every decision (one upsert each) and is rebuilt for decisions older than the app."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404

from parvis.comments.models import Status
from parvis.dashboard.models import QueueIndex, Role
from parvis.dashboard.permissions import require_role
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action


@pytest.mark.django_db
def test_a_moderators_decision_updates_the_categories_and_keeps_the_risk(site: Any, moderator: Any) -> None:
    comment = held(site, "Un commentaire.", scores={"threat": 0.8, "insult": 0.4}, categories=["threat"])
    assert (QueueIndex.objects.get(comment=comment).risk, QueueIndex.objects.get(comment=comment).categories) == (
        pytest.approx(0.8),
        ",threat,",
    )
    moderate(comment, Action.REJECT, actor=moderator, category="insult")
    index = QueueIndex.objects.get(comment=comment)
    assert index.risk == pytest.approx(0.8) and index.categories == ",insult,"


@pytest.mark.django_db
def test_the_migration_indexes_decisions_taken_before_the_dashboard(site: Any) -> None:
    first = held(site, "Un.", scores={"spam": 0.7}, categories=["spam"])
    second = held(site, "Deux.", scores={"toxic": 0.3})
    QueueIndex.objects.all().delete()
    migration = importlib.import_module("parvis.dashboard.migrations.0001_initial")
    migration.index_existing_decisions(apps, None)
    assert {(row.comment_id, round(row.risk, 2), row.categories) for row in QueueIndex.objects.all()} == {
        (first.pk, 0.7, ",spam,"),
        (second.pk, 0.3, ""),
    }


@pytest.mark.django_db
def test_require_role_answers_404_outside_the_site_and_403_for_too_small_a_role(
    site: Any, other_site: Any, journalist: Any, moderator: Any, superuser: Any
) -> None:
    with pytest.raises(Http404):
        require_role(moderator, other_site)
    with pytest.raises(PermissionDenied):
        require_role(journalist, site)
    require_role(journalist, site, [Role.JOURNALIST])
    require_role(moderator, site)
    require_role(superuser, other_site)


@pytest.mark.django_db
def test_an_article_address_that_is_not_a_web_address_is_not_a_link(site: Any, moderator: Any) -> None:
    comment = held(site, "Un commentaire.", status=Status.PENDING, key="weird")
    comment.thread.url = "javascript:alert(1)"
    comment.thread.save()
    page = signed_in(moderator).get("/moderate/").content.decode()
    assert "javascript:" not in page and "Title of weird" in page
