"""Posting a comment or a reply, as a guest or signed in, and releasing one held until its author confirmed
their email (the site's ``confirm_first_comment``).

A guest's comment held for the proof is decided as any other first, and that decision is recorded; a second one
(hold, ``email_unconfirmed``) is recorded after it, so the author is told why it waits and a second opinion
queued meanwhile stands aside. Confirming the address (parvis.identity.email_links) brings the first decision
back: published and counted, or left waiting for moderators.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parvis import conf
from parvis.accounts.bans import active_ban
from parvis.accounts.models import Commenter
from parvis.comments import rendering, validation
from parvis.comments.models import MAX_DEPTH, Comment, IdempotencyRecord, Status
from parvis.comments.tokens import new_token
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_fragment, clean_line, refuse_forbidden
from parvis.identity import rules
from parvis.identity.models import sign_in_settings
from parvis.moderation import actions as moderation
from parvis.moderation import duplicates, pipeline, surge
from parvis.moderation.models import Action, AuditEntry, Decision, Stage
from parvis.moderation.tasks import second_opinion
from parvis.notifications.events import comment_published
from parvis.threads.keys import MAX_URL_LENGTH, canonical_url, thread_key
from parvis.threads.models import Thread

if TYPE_CHECKING:
    from parvis.identity.email_links import Requested

ANCHOR_EXACT_MAX = 1000
ANCHOR_CONTEXT_MAX = 64
TITLE_MAX = 300
# Why a guest's comment waits: their address is not proven yet (a reason code the widget translates).
EMAIL_UNCONFIRMED = "email_unconfirmed"


@dataclass(frozen=True)
class Draft:
    """What a guest sent: everything is re-checked here, whichever door it came through."""

    thread_key: str | None
    thread_url: str | None
    body: str
    thread_title: str = ""
    parent_id: int | None = None
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    anchor: dict[str, str] = field(default_factory=dict)
    # Filled by bots only: a form field people cannot see.
    honeypot: str = ""
    # Seconds between opening the form and sending it, as the widget measured.
    seconds_to_submit: float | None = None
    # The guest asks for a link proving their address (a verified badge), without their comment waiting for it.
    verify_email: bool = False

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Posted:
    comment: Comment
    edit_token: str
    decision: Decision | None
    replayed: bool = False
    # The confirmation link mailed about this comment, if one was.
    confirmation: Requested | None = None


def post_comment(
    site: Site,
    draft: Draft,
    client: ClientFingerprint,
    *,
    reader: Commenter | None = None,
    idempotency_key: str | None = None,
) -> Posted:
    """Store a new comment by a guest, or by ``reader`` when signed in; when this returns, it is committed."""
    if idempotency_key:
        replay = _replay(site, client, idempotency_key, draft)
        if replay:
            return replay
    key = thread_key(draft.thread_key, draft.thread_url)
    rules.check(rules.rule_for(site, key), reader)
    url = _page_url(site, draft.thread_url)
    title = clean_line(draft.thread_title or "", "thread.title")[:TITLE_MAX]
    body = validation.comment_body(site, draft.body)
    if reader is None:
        name = validation.guest_name(site, draft.author_name)
        email = validation.guest_email(site, draft.author_email)
        website = validation.guest_website(draft.author_website)
    else:  # a signed-in reader posts under the name of their profile
        name, email, website = reader.name, reader.email, reader.website
    anchor = _anchor(draft.anchor)
    # Refuse a flood before the costly part (rendering, language detection), not after it; the post is counted in
    # its own transaction below.
    limits = (("PARVIS_RATELIMIT_COMMENT_IP", client.ip_hash), ("PARVIS_RATELIMIT_COMMENT_THREAD", f"{site.pk}:{key}"))
    for setting, subject in limits:
        ratelimit.refuse_if_spent(setting, subject)
    html = rendering.render(body)
    scored = pipeline.assess_text(site, body)
    sending = pipeline.Sending(client.ip_hash, draft.honeypot, draft.seconds_to_submit)

    token, token_hash = new_token()
    try:
        with transaction.atomic():
            for setting, subject in limits:
                ratelimit.enforce(setting, subject)
            thread, _ = Thread.objects.get_or_create(site=site, key=key, defaults={"url": url, "title": title})
            if thread.is_closed:
                raise ProblemError(Code.THREAD_CLOSED)
            if (url and not thread.url) or (title and not thread.title):
                thread.url, thread.title = thread.url or url, thread.title or title
                thread.save(update_fields=["url", "title"])
            parent = _parent(site, thread, draft.parent_id)
            _refuse_repeat(thread, client, body)
            commenter = reader or _commenter(site, name, email, website)
            ban = active_ban(site, client, email=email, commenter_id=commenter.pk)
            if ban is not None and not ban.shadow:
                until = f" until {ban.until:%Y-%m-%d %H:%M} UTC" if ban.until else ""
                raise ProblemError(Code.BANNED, f"You can no longer comment on this site{until}.")
            verdict = pipeline.decide(site, scored, sending, thread=thread, commenter_id=commenter.pk)
            if ban is not None:
                # Shadow ban: stored and shown to its author as waiting, never to anyone else.
                verdict = replace(verdict, action=Action.HOLD, categories=(pipeline.SHADOW_BAN,), second_opinion=False)
            proving = reader is None and bool(email) and not commenter.verified and ban is None
            held_for_email = proving and sign_in_settings(site).confirm_first_comment
            now = timezone.now()
            status = Status.PENDING if held_for_email else verdict.status
            comment = Comment.objects.create(
                thread=thread,
                parent=parent,
                root=(parent.root or parent) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                commenter=commenter,
                author_name=name,
                author_website=website,
                body_markdown=body,
                body_html=html,
                status=status,
                language=verdict.language,
                created_at=now,
                ip_hash=client.ip_hash,
                network_hash=client.network_hash,
                user_agent_hash=client.user_agent_hash,
                edit_token_hash=token_hash,
                anchor_exact=anchor.get("exact", ""),
                anchor_prefix=anchor.get("prefix", ""),
                anchor_suffix=anchor.get("suffix", ""),
            )
            if status == Status.APPROVED:
                Thread.objects.filter(pk=thread.pk).update(comment_count=F("comment_count") + 1, last_comment_at=now)
                comment_published(comment)
            decision = moderation.record(comment, verdict, Stage.SYNC)
            if held_for_email:
                waiting = replace(verdict, action=Action.HOLD, categories=(EMAIL_UNCONFIRMED,), second_opinion=False)
                decision = moderation.record(comment, waiting, Stage.SYNC)
            confirmation = None
            if proving and (held_for_email or draft.verify_email):
                from parvis.identity import email_links  # identity's links build on comments, not the reverse

                confirmation = email_links.request_confirmation(comment, email, verdict.language)
            duplicates.remember(comment, verdict.bands)
            if verdict.second_opinion and not held_for_email:
                # In the same transaction: the job exists exactly when the held comment does.
                second_opinion.enqueue(comment.pk, decision.pk)
            surge.observe(thread, scored.policy.config.surge)
            if idempotency_key:
                IdempotencyRecord.objects.create(
                    site=site,
                    client_key=client.ip_hash,
                    key=idempotency_key,
                    fingerprint=draft.fingerprint(),
                    comment=comment,
                    edit_token=token,
                    expires_at=now + site.edit_delta,
                )
                IdempotencyRecord.objects.filter(expires_at__lt=now).delete()
    except IntegrityError:
        # Two requests with the same Idempotency-Key raced; the other one committed first.
        replay = _replay(site, client, idempotency_key, draft) if idempotency_key else None
        if replay is None:
            raise
        return replay
    return Posted(comment=comment, edit_token=token, decision=decision, confirmation=confirmation)


def _replay(site: Site, client: ClientFingerprint, key: str, draft: Draft) -> Posted | None:
    record = (
        IdempotencyRecord.objects.select_related("comment")
        .filter(site=site, client_key=client.ip_hash, key=key, expires_at__gte=timezone.now())
        .first()
    )
    if record is None:
        return None
    if record.fingerprint != draft.fingerprint():
        raise ProblemError(Code.IDEMPOTENCY_KEY_REUSED)
    decision = Decision.objects.filter(comment=record.comment).order_by("-created_at", "-pk").first()
    return Posted(comment=record.comment, edit_token=record.edit_token, decision=decision, replayed=True)


def _page_url(site: Site, raw_url: str | None) -> str:
    if not raw_url:
        return ""
    refuse_forbidden(raw_url, "thread.url")
    if len(raw_url) > MAX_URL_LENGTH:
        raise ProblemError(Code.INVALID_URL, "The page URL is longer than 2048 characters.", field="thread.url")
    canonical = canonical_url(raw_url)
    if canonical is None:
        raise ProblemError(Code.INVALID_URL, "The page URL must be an http:// or https:// address.", field="thread.url")
    if not site.url_allowed(canonical):
        raise ProblemError(
            Code.URL_NOT_ALLOWED, "The page URL is not on one of this site's allowed origins.", field="thread.url"
        )
    return canonical


def _anchor(raw: dict[str, str]) -> dict[str, str]:
    """A TextQuoteSelector: the quoted passage (required) and a little context on each side."""
    if not raw:
        return {}
    exact = clean_line(raw.get("exact", ""), "anchor.exact")
    if not exact:
        raise ProblemError(Code.VALIDATION_FAILED, "An inline comment needs the quoted text.", field="anchor.exact")
    if len(exact) > ANCHOR_EXACT_MAX:
        raise ProblemError(Code.VALIDATION_FAILED, "The quoted passage is too long.", field="anchor.exact")
    prefix = clean_fragment(raw.get("prefix", ""), "anchor.prefix")[-ANCHOR_CONTEXT_MAX:]
    suffix = clean_fragment(raw.get("suffix", ""), "anchor.suffix")[:ANCHOR_CONTEXT_MAX]
    return {"exact": exact, "prefix": prefix, "suffix": suffix}


def _parent(site: Site, thread: Thread, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = Comment.objects.select_related("thread", "root").filter(pk=parent_id).first()
    if parent is None or parent.thread.site_id != site.pk:
        raise ProblemError(Code.PARENT_NOT_FOUND, field="parent")
    if parent.thread_id != thread.pk:
        raise ProblemError(Code.PARENT_IN_OTHER_THREAD, field="parent")
    if parent.status != Status.APPROVED:
        raise ProblemError(Code.PARENT_UNAVAILABLE, field="parent")
    while parent.depth >= MAX_DEPTH and parent.parent_id is not None:
        parent = Comment.objects.select_related("root").get(pk=parent.parent_id)
    return parent


def _refuse_repeat(thread: Thread, client: ClientFingerprint, body: str) -> None:
    """The same text from the same person, right after their previous comment, is a double submit."""
    since = timezone.now() - timedelta(seconds=conf.duplicate_window())
    previous = (
        Comment.objects.filter(thread=thread, ip_hash=client.ip_hash, created_at__gte=since)
        .exclude(status=Status.DELETED)
        .order_by("-created_at")
        .values_list("body_markdown", flat=True)
        .first()
    )
    if previous == body:
        raise ProblemError(Code.DUPLICATE_COMMENT)


def _commenter(site: Site, name: str, email: str, website: str) -> Commenter:
    """Group a guest's comments when they give the same name and email (exact match, not verified)."""
    if email:
        existing = Commenter.objects.filter(site=site, email=email, name=name, verified=False).first()
        if existing:
            if website and existing.website != website:
                existing.website = website
                existing.save(update_fields=["website"])
            return existing
    return Commenter.objects.create(site=site, name=name, email=email, website=website)


def release_confirmed(comment_id: int) -> Decision | None:
    """The author of a comment held with ``email_unconfirmed`` proved their address: it gets the decision it had
    on posting (published, counted and announced; or still waiting for moderators with its own reason). None when
    there is nothing to release: not held for the proof, or a moderator decided since."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("thread", "thread__site").get(pk=comment_id)
        latest = list(Decision.objects.filter(comment=comment).order_by("-created_at", "-pk")[:2])
        if comment.status != Status.PENDING or len(latest) < 2 or latest[0].categories != [EMAIL_UNCONFIRMED]:
            return None
        had = latest[1]
        released = Decision.objects.create(
            comment=comment, stage=had.stage, action=had.action, policy_version=had.policy_version,
            scores=had.scores, reasons=had.reasons, categories=had.categories, language=had.language,
            degraded=had.degraded, site_model_version=had.site_model_version, duration_ms=had.duration_ms,
            note="email confirmed",
        )  # fmt: skip
        moderation.set_status(comment, pipeline.STATUS_OF_ACTION[Action(had.action)])
        AuditEntry.objects.create(
            site=comment.thread.site, actor_label="reader", action="comment.email_confirmed", comment=comment,
            details={"comment": comment.pk, "action": had.action},
        )  # fmt: skip
    return released


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + comment.thread.site.edit_delta
