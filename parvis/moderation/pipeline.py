"""The decision on a new or edited comment: what the text says (`engine`), how it was sent (honeypot, speed,
velocity, copies on other threads), who sent it (first-time or trusted), where (pre-moderated site, thread in
surge), turned into one action by the site's policy — with every reason kept.

It runs in two parts so the write path stays short: `assess_text` (CPU only, before the write transaction) and
`decide` (a few indexed reads, inside it). When the first stage is unsure and the sentence encoder is installed,
the comment is held and `tasks.second_opinion` decides again with both stages within a second or two.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from parvis import conf
from parvis.comments.models import Comment, Status
from parvis.core.models import ModerationMode, Site
from parvis.moderation import duplicates, engine, lists
from parvis.moderation.classifier import stage1, stage2
from parvis.moderation.findings import Finding
from parvis.moderation.learning import active_site_model
from parvis.moderation.models import Action
from parvis.moderation.policy import ActivePolicy, PolicyConfig, active_policy
from parvis.moderation.rules import lists as list_rule
from parvis.threads.models import Thread

logger = logging.getLogger(__name__)

# The more severe action wins when several categories fire.
_SEVERITY = {Action.PUBLISH: 0, Action.HOLD: 1, Action.REJECT: 2, Action.SPAM: 3}
# Why a comment waits although no category fired: codes the widget translates.
PREMODERATION, FIRST_COMMENT, SURGE, CHECKING, UNAVAILABLE = (
    "premoderation", "first_comment", "surge", "checking", "unavailable"
)  # fmt: skip
# A thread staff switched to pre-moderation (Thread.premoderated): "thread is pre-moderated".
THREAD_PREMODERATED = "thread_premoderated"
# Recorded for moderators; never shown to the author (that is what makes the ban a shadow one).
SHADOW_BAN = "shadow_ban"
# The comment status each action leaves it in.
STATUS_OF_ACTION = {Action.PUBLISH: Status.APPROVED, Action.HOLD: Status.PENDING, Action.REJECT: Status.REJECTED,
               Action.SPAM: Status.SPAM}  # fmt: skip


@dataclass(frozen=True)
class Sending:
    """How the comment was sent, as the widget reports it."""

    ip_hash: str = ""
    # The hidden form field people cannot see; bots fill it.
    honeypot: str = ""
    # Seconds between opening the form and sending it (None when the client did not say).
    seconds_to_submit: float | None = None


@dataclass(frozen=True)
class TextAssessment:
    policy: ActivePolicy
    assessment: engine.Assessment
    bands: list[int]
    explanations: list[Finding]
    duration_ms: float
    site_model_version: int
    length: int


@dataclass(frozen=True)
class Verdict:
    action: Action
    # What decided the action: categories, custom slugs or one of the hold codes above.
    categories: tuple[str, ...]
    scores: dict[str, float]
    reasons: list[dict[str, Any]]
    policy_version: int
    language: str
    degraded: bool
    duration_ms: float
    site_model_version: int = 0
    second_opinion: bool = False
    bands: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return STATUS_OF_ACTION[self.action]


def assess_text(site: Site, text: str, *, language: str | None = None, full: bool = False) -> TextAssessment:
    """The CPU part: score the text with the site's custom categories and its own model."""
    started = time.perf_counter()
    policy = active_policy(site)
    site_model = active_site_model(site)
    site_lists = lists.for_site(site)
    try:
        assessment = engine.assess(
            text,
            language=language,
            custom_categories=policy.config.custom_categories,
            site_model=site_model,
            full=full and conf.moderation_encoder(),
            site_lists=site_lists,
        )
        explanations = _model_explanations(text, assessment, policy.config)
    except Exception:  # the comment is stored and held, never lost to a bug in a model
        logger.exception("moderation engine failed; holding the comment for review")
        assessment = engine.Assessment(language=language or "", scores={}, findings=(), stages=(), degraded=True)
        explanations = []
    return TextAssessment(
        policy=policy,
        assessment=assessment,
        bands=duplicates.bands(assessment.key.text),
        explanations=explanations,
        duration_ms=(time.perf_counter() - started) * 1000,
        site_model_version=site_model.version if site_model else 0,
        length=len(text),
    )


def _model_explanations(text: str, assessment: engine.Assessment, config: PolicyConfig) -> list[Finding]:
    """Which words weighed most in the model's score, for the categories the model pushed past review."""
    model = stage1.load()
    if model is None or "stage1" not in assessment.model_scores:
        return []
    key = assessment.key
    explanations = []
    for category, score in assessment.model_scores["stage1"].items():
        rule = config.rule(category)
        if rule is None or not rule.enabled or score < rule.operating_threshold:
            continue
        words = [(start, end) for start, end, weight in model.explain(key.text, category)[:5] if weight > 0]
        spans = tuple(key.span(start, end) for start, end in words)
        quoted = ", ".join(f"“{key.text[start:end]}”" for start, end in words)
        reason = f"The language model scores it {score:.2f} for {category}" + (f"; words: {quoted}." if quoted else ".")
        explanations.append(Finding("model.stage1", category, score, reason, spans))
    return explanations


def behaviour_findings(
    site: Site, config: PolicyConfig, sending: Sending, *, commenter_id: int | None, thread_id: int | None,
    bands: list[int], language: str, length: int,
) -> list[Finding]:  # fmt: skip
    """Signals about how the comment was sent, not what it says."""
    findings = []
    velocity = config.velocity
    if sending.honeypot:
        findings.append(Finding("behaviour.honeypot", "spam", 1.0, "A form field hidden from people was filled in."))
    if sending.seconds_to_submit is not None and sending.seconds_to_submit < velocity.min_seconds_to_submit:
        findings.append(
            Finding("behaviour.too_fast", "spam", 0.45,
                    f"The comment was written and sent in {sending.seconds_to_submit:.1f} s.")
        )  # fmt: skip
    since = timezone.now() - timedelta(minutes=velocity.window_minutes)
    recent = Comment.objects.filter(thread__site=site, created_at__gte=since)
    if sending.ip_hash:
        from_ip = recent.filter(ip_hash=sending.ip_hash).count()
        if from_ip >= velocity.per_ip:
            findings.append(
                Finding("behaviour.velocity_ip", "spam", _burst(from_ip, velocity.per_ip),
                        f"{from_ip} comments from the same connection in {velocity.window_minutes} minutes.")
            )  # fmt: skip
    if commenter_id is not None:
        from_commenter = recent.filter(commenter_id=commenter_id).count()
        if from_commenter >= velocity.per_commenter:
            findings.append(
                Finding("behaviour.velocity_commenter", "spam", _burst(from_commenter, velocity.per_commenter),
                        f"{from_commenter} comments by the same commenter in {velocity.window_minutes} minutes.")
            )  # fmt: skip
    copies = duplicates.earlier_copies(site, bands, exclude_thread=thread_id)
    if copies >= velocity.duplicates:
        findings.append(
            Finding("behaviour.copies", "spam", 0.85,
                    f"The same text was posted {copies} times on other articles today.")
        )  # fmt: skip
    if not language and length >= 40:
        findings.append(
            Finding("behaviour.language", "spam", 0.15, "The comment is in none of the site's languages.")
        )  # fmt: skip
    elif language and language not in conf.languages():
        findings.append(
            Finding("behaviour.language", "spam", 0.15, f"The comment is in an unexpected language ({language}).")
        )
    return findings


def _burst(count: int, limit: int) -> float:
    """Past the limit, the signal grows with the excess: on its own it holds a comment only at twice the limit (a
    newsroom's office or a school shares one address), and calls it spam only at about four times."""
    return min(0.95, 0.35 + 0.2 * (count - limit) / max(limit, 1))


def _standing(config: PolicyConfig, commenter_id: int | None) -> tuple[bool, bool]:
    """(first comment, trusted) for a commenter, from their earlier comments' outcomes."""
    if commenter_id is None:
        return True, False
    counts = Comment.objects.filter(commenter_id=commenter_id).aggregate(
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        refused=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.SPAM])),
    )
    first = counts["approved"] == 0
    trusted = config.trusted_after > 0 and counts["approved"] >= config.trusted_after and counts["refused"] == 0
    return first, trusted


def decide(
    site: Site,
    scored: TextAssessment,
    sending: Sending,
    *,
    thread: Thread | None,
    commenter_id: int | None,
    behaviour: list[Finding] | None = None,
    second_stage: bool = False,
) -> Verdict:
    """Apply the site's policy. ``behaviour`` reuses the first stage's signals when deciding again."""
    config = scored.policy.config
    assessment = scored.assessment
    thread_id = thread.pk if thread else None
    if behaviour is None:
        behaviour = behaviour_findings(
            site, config, sending, commenter_id=commenter_id, thread_id=thread_id,
            bands=scored.bands, language=assessment.language, length=scored.length,
        )  # fmt: skip
    scores = dict(assessment.scores)
    for finding in behaviour:
        scores[finding.category] = round(1 - (1 - scores.get(finding.category, 0.0)) * (1 - finding.score), 4)
    action, decided, unsure = Action.PUBLISH, [], []
    for category, score in scores.items():
        rule = config.rule(category)
        if rule is None or not rule.enabled:
            continue
        if score >= rule.threshold:
            if _SEVERITY[rule.action] > _SEVERITY[action]:
                action, decided = rule.action, [category]
            elif rule.action == action:
                decided.append(category)
        elif rule.review_at is not None and score >= rule.review_at:
            unsure.append(category)
    # The site's block list: each entry's own action, for trusted commenters too (the newsroom asked for it).
    for finding in assessment.findings:
        imposed = list_rule.blocking(finding)
        if imposed is None:
            continue
        forced = Action(imposed)
        if _SEVERITY[forced] > _SEVERITY[action]:
            action, decided = forced, [finding.category]
        elif forced == action and finding.category not in decided:
            decided.append(finding.category)
    first, trusted = _standing(config, commenter_id)
    second_opinion = False
    if action == Action.PUBLISH and unsure and not trusted:
        action, decided = Action.HOLD, unsure
        second_opinion = not second_stage and "stage1" in assessment.model_scores and _encoder_ready()
    if action == Action.PUBLISH and assessment.degraded:
        action, decided = Action.HOLD, [UNAVAILABLE]
    if action == Action.PUBLISH and thread is not None and thread.premoderated:
        # Switched on by staff for this article: trusted commenters wait too, unlike the site-wide mode.
        action, decided = Action.HOLD, [THREAD_PREMODERATED]
    if action == Action.PUBLISH and not trusted:
        if site.moderation_mode == ModerationMode.PRE:
            action, decided = Action.HOLD, [PREMODERATION]
        elif thread is not None and thread.surge_since is not None:
            action, decided = Action.HOLD, [SURGE]
        elif config.hold_first_time and first:
            action, decided = Action.HOLD, [FIRST_COMMENT]
    findings = [*assessment.findings, *scored.explanations, *behaviour]
    return Verdict(
        action=action,
        categories=tuple(decided),
        scores=scores,
        reasons=[_reason(finding) for finding in findings if finding.score > 0],
        policy_version=scored.policy.version,
        language=assessment.language,
        degraded=assessment.degraded,
        duration_ms=round(scored.duration_ms, 2),
        site_model_version=scored.site_model_version,
        second_opinion=second_opinion,
        bands=scored.bands,
    )


def _encoder_ready() -> bool:
    return conf.moderation_encoder() and stage2.available()


def _reason(finding: Finding) -> dict[str, Any]:
    reason = asdict(finding)
    reason["spans"] = [list(span) for span in finding.spans]
    return reason


def behaviour_from_reasons(reasons: list[dict[str, Any]]) -> list[Finding]:
    """The first stage's behaviour signals, for the second stage to decide with the same facts."""
    return [
        Finding(reason["rule"], reason["category"], reason["score"], reason["reason"],
                tuple(tuple(span) for span in reason.get("spans", [])))  # type: ignore[misc]
        for reason in reasons
        if str(reason.get("rule", "")).startswith("behaviour.")
    ]  # fmt: skip
