"""Background jobs run by `parvis worker`: the second opinion on comments the first stage was unsure about,
the site model's training, and the end of surges."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from parvis.comments.models import Comment, Status
from parvis.moderation import actions, connectors, learning, pipeline, surge
from parvis.moderation.models import Decision, Stage

logger = logging.getLogger(__name__)


@task()
def second_opinion(comment_id: int, decision_id: int) -> str:
    """Decide again with the sentence encoder; act only if nobody (author or moderator) changed it since."""
    comment = Comment.objects.select_related("thread", "thread__site").filter(pk=comment_id).first()
    first = Decision.objects.filter(pk=decision_id).first()
    if comment is None or first is None or comment.status != Status.PENDING:
        return "skipped"
    site = comment.thread.site
    scored = pipeline.assess_text(site, comment.body_markdown, language=comment.language or None, full=True)
    # Outside services (off unless configured) are asked here, off the write path; they never block a decision.
    outside = connectors.findings(comment.body_markdown, site=site, comment=comment, language=comment.language)
    verdict = pipeline.decide(
        site, scored, pipeline.Sending(), thread=comment.thread, commenter_id=comment.commenter_id,
        behaviour=[*pipeline.behaviour_from_reasons(first.reasons), *outside], second_stage=True,
    )  # fmt: skip
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment_id)
        latest = Decision.objects.filter(comment_id=comment_id).order_by("-created_at", "-pk").first()
        if current.status != Status.PENDING or latest is None or latest.pk != first.pk:
            return "skipped"
        actions.record(current, verdict, Stage.ASYNC)
        actions.set_status(current, verdict.status)
    return verdict.action


@task()
def learn_site(site_id: int) -> str:
    from parvis.core.models import Site

    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return "no site"
    version = learning.learn(site)
    return f"version {version.version} {version.state}" if version else "nothing new"


@task()
def report_to_services(comment_id: int, is_spam: bool) -> bool:
    """A moderator's spam / not-spam verdict, sent to the Akismet-compatible service when one is configured."""
    comment = Comment.objects.select_related("thread__site").filter(pk=comment_id).first()
    return comment is not None and connectors.report(comment, is_spam)


@task()
def calm_surge(thread_id: int) -> bool:
    return surge.calm(thread_id)
