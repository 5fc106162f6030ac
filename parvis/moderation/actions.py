"""Every change moderation makes to a comment goes through here: recording an automatic decision, a moderator's
approve / reject / spam (which also teaches the site's model), and a reader's appeal."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parvis.comments.models import Comment, Status
from parvis.comments.tokens import matches
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.moderation import engine
from parvis.moderation.categories import Category
from parvis.moderation.models import Action, Appeal, AuditEntry, Decision, Example, Stage
from parvis.moderation.normalise import normalise
from parvis.moderation.pipeline import STATUS_OF_ACTION, Verdict
from parvis.moderation.policy import PolicyConfig, active_policy
from parvis.threads.models import Thread

APPEAL_MAX = 1000


def set_status(comment: Comment, status: str) -> None:
    """Change a comment's status, keeping its thread's published count in step."""
    was_published = comment.status == Status.APPROVED
    comment.status = status
    comment.save(update_fields=["status"])
    published = status == Status.APPROVED
    if published and not was_published:
        # In the caller's transaction: the emails exist exactly when the publication does.
        from parvis.notifications.events import comment_published

        comment_published(comment)
    if published != was_published:
        Thread.objects.filter(pk=comment.thread_id).update(
            comment_count=F("comment_count") + (1 if published else -1),
            **({"last_comment_at": timezone.now()} if published else {}),
        )


def record(comment: Comment, verdict: Verdict, stage: str) -> Decision:
    return Decision.objects.create(
        comment=comment,
        stage=stage,
        action=verdict.action,
        policy_version=verdict.policy_version,
        scores=verdict.scores,
        reasons=verdict.reasons,
        categories=list(verdict.categories),
        language=verdict.language,
        degraded=verdict.degraded,
        site_model_version=verdict.site_model_version,
        duration_ms=verdict.duration_ms,
    )


def _labels(policy: PolicyConfig, action: Action, category: str | None) -> dict[str, int]:
    """What a moderator's decision says about each category the site scores."""
    names = [name for name, rule in policy.categories.items() if rule.enabled] + [c.slug for c in policy.custom]
    labels = dict.fromkeys(names, 0)
    if action == Action.SPAM:
        labels[Category.SPAM] = 1
    elif action == Action.REJECT and category:
        labels[category] = 1
        if category in (Category.ANTISEMITISM, Category.RACISM):
            labels[Category.HATE] = 1
    elif action == Action.REJECT:
        # Rejected without a reason: nothing can be said per category, so nothing is learnt from it.
        return {}
    return labels


def moderate(
    comment: Comment,
    action: Action,
    *,
    actor: Any = None,
    category: str | None = None,
    note: str = "",
    audit: dict[str, Any] | None = None,
) -> Decision:
    """A moderator's verdict: publish, hold, reject (with the policy category it breaks) or spam.

    The audit entry names the decision and the status before and after it, so the audit log can reverse it;
    ``audit`` adds to its details (a reversal names the entry it reverses)."""
    site = comment.thread.site
    policy = active_policy(site)
    if category is not None and policy.config.rule(category) is None:
        raise ProblemError(Code.VALIDATION_FAILED, f"Unknown policy category {category!r}.", field="category")
    labels = _labels(policy.config, action, category) if action != Action.HOLD else {}
    base = engine.assess(comment.body_markdown, language=comment.language or None).engine_scores if labels else {}
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("thread").get(pk=comment.pk)
        if comment.status == Status.DELETED:
            raise ProblemError(Code.COMMENT_UNAVAILABLE)
        before = comment.status
        set_status(comment, STATUS_OF_ACTION[action])
        decision = Decision.objects.create(
            comment=comment,
            stage=Stage.MODERATOR,
            action=action,
            policy_version=policy.version,
            categories=[category] if category else [],
            language=comment.language,
            decided_by=actor if getattr(actor, "pk", None) else None,
            note=note[:500],
        )
        # A new verdict replaces what the comment taught before; a hold (an undo, a second look) teaches nothing.
        Example.objects.filter(comment=comment).delete()
        if labels:
            Example.objects.create(
                site=site, comment=comment, key=normalise(comment.body_markdown).text, language=comment.language,
                labels=labels, base=base,
            )  # fmt: skip
        if action != Action.HOLD:
            # Holding is not an answer to the author: the appeal stays open until it is published or removed.
            Appeal.objects.filter(comment=comment, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), outcome=action
            )
        AuditEntry.objects.create(
            site=site,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "username", "") or "system",
            action=f"comment.{action}",
            thread_id=comment.thread_id,
            comment=comment,
            details={
                "category": category,
                "note": note[:500],
                "decision": decision.pk,
                "status": {"before": before, "after": comment.status},
                **(audit or {}),
            },
        )
        from parvis.moderation import connectors
        from parvis.moderation.tasks import learn_site, report_to_services

        if labels:
            learn_site.enqueue(site.pk)
        if action in (Action.SPAM, Action.PUBLISH) and connectors.enabled():
            report_to_services.enqueue(comment.pk, action == Action.SPAM)
    return decision


def appeal(site: Site, comment_id: int, token: str, message: str) -> Appeal:
    """The author of a held or rejected comment asks a person to look again (proven by the edit token)."""
    if len(message) > APPEAL_MAX:
        raise ProblemError(Code.VALIDATION_FAILED, "The message is too long.", field="message")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id, thread__site=site).first()
        if comment is None:
            raise ProblemError(Code.COMMENT_NOT_FOUND)
        if not token or not matches(token, comment.edit_token_hash):
            raise ProblemError(Code.EDIT_TOKEN_INVALID)
        if comment.status not in (Status.PENDING, Status.REJECTED, Status.SPAM):
            raise ProblemError(Code.NOTHING_TO_APPEAL)
        existing = Appeal.objects.filter(comment=comment).first()
        if existing is not None:
            return existing
        lodged = Appeal.objects.create(comment=comment, message=message.strip())
        AuditEntry.objects.create(
            site=site, action="comment.appealed", thread_id=comment.thread_id, comment=comment, actor_label="author"
        )
    return lodged
