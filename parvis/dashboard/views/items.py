"""What the queue shows about each comment, gathered for a whole page in a fixed number of queries.

An item is the comment with the reasons of its latest automatic decision marked in its text, the article, the
comment it answers, the readers' reports, the author's appeal and the commenter's history — everything a moderator
needs to decide without opening another page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from parvis.accounts.models import Ban, BanKind
from parvis.comments.models import Comment, Flag, FlagReason, Status
from parvis.core.models import Site
from parvis.dashboard.permissions import can_decide
from parvis.moderation.admin import highlighted
from parvis.moderation.categories import Category
from parvis.moderation.models import Decision, Stage
from parvis.moderation.policy import active_policy

# Digits pick a reason in the reject menu: 1-9, then 0 for the tenth.
REASON_KEYS = "1234567890"


@dataclass(frozen=True)
class Reason:
    """One entry of the reject menu: a policy category the comment breaks."""

    key: str
    slug: str
    label: str


@dataclass(frozen=True)
class History:
    comments: int = 0
    approved: int = 0
    refused: int = 0

    @property
    def approved_share(self) -> int:
        """Percentage of the commenter's comments that were published."""
        return round(100 * self.approved / self.comments) if self.comments else 0


@dataclass
class Item:
    comment: Comment
    text: SafeString
    reasons: list[dict[str, Any]]
    risk: float
    categories: list[str]
    # The newest decision of any stage: the form sends it back so a decision taken since is detected (stale).
    seen: int
    last_decision: Decision | None
    flags: list[tuple[str, int]] = field(default_factory=list)
    flag_total: int = 0
    history: History | None = None
    can_decide: bool = False
    menu: list[Reason] = field(default_factory=list)
    notice: str = ""
    # Bans in force against the comment's sender (shown to those who may decide only).
    bans: list[Ban] = field(default_factory=list)

    @property
    def email(self) -> str:
        commenter = self.comment.commenter if self.comment.commenter_id else None
        return commenter.email if commenter else ""

    @property
    def article_url(self) -> str:
        """The article's address, only when it is a web address (never a javascript: or data: link)."""
        url = self.comment.thread.url
        return url if url.startswith(("https://", "http://")) else ""


def reject_menu(site: Site) -> list[Reason]:
    """The site's enabled categories (spam has its own key) and its own categories, as the policy labels them."""
    config = active_policy(site).config
    slugs = [name for name, rule in config.categories.items() if rule.enabled and name != Category.SPAM]
    slugs += [custom.slug for custom in config.custom]
    return [
        Reason(REASON_KEYS[index] if index < len(REASON_KEYS) else "", slug, config.label(slug))
        for index, slug in enumerate(slugs)
    ]


def build_items(comments: list[Comment], user: Any, notices: dict[int, str] | None = None) -> list[Item]:
    """The items for ``comments`` (with thread, site, parent and appeal selected), in their order."""
    ids = [comment.pk for comment in comments]
    latest: dict[int, Decision] = {}
    automatic: dict[int, Decision] = {}
    for decision in (
        Decision.objects.filter(comment_id__in=ids).select_related("decided_by").order_by("created_at", "pk")
    ):
        latest[decision.comment_id] = decision
        if decision.stage != Stage.MODERATOR:
            automatic[decision.comment_id] = decision
    flags: dict[int, list[tuple[str, int]]] = defaultdict(list)
    labels = dict(FlagReason.choices)
    for row in Flag.objects.filter(comment_id__in=ids).values("comment_id", "reason").annotate(n=Count("pk")):
        flags[row["comment_id"]].append((str(labels.get(row["reason"], row["reason"])), row["n"]))
    commenters = {comment.commenter_id for comment in comments if comment.commenter_id}
    histories = {
        row["commenter_id"]: History(row["total"], row["approved"], row["refused"])
        for row in Comment.objects.filter(commenter_id__in=commenters)
        .exclude(status=Status.DELETED)
        .values("commenter_id")
        .annotate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            refused=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.SPAM])),
        )
    }
    sites = {comment.thread.site_id: comment.thread.site for comment in comments}
    menus = {pk: reject_menu(site) for pk, site in sites.items()}
    deciding = {pk: can_decide(user, site) for pk, site in sites.items()}
    bans = active_bans([comment for comment in comments if deciding[comment.thread.site_id]])
    items = []
    for comment in comments:
        auto = automatic.get(comment.pk)
        reasons = list(auto.reasons) if auto else []
        last = latest.get(comment.pk)
        items.append(
            Item(
                comment=comment,
                text=highlighted(comment.body_markdown, reasons),
                reasons=reasons,
                risk=max((float(v) for v in auto.scores.values()), default=0.0) if auto else 0.0,
                categories=list(last.categories) if last else [],
                seen=last.pk if last else 0,
                last_decision=last,
                flags=sorted(flags.get(comment.pk, []), key=lambda pair: -pair[1]),
                flag_total=sum(n for _, n in flags.get(comment.pk, [])),
                history=histories.get(comment.commenter_id) if comment.commenter_id else None,
                can_decide=deciding[comment.thread.site_id],
                menu=menus[comment.thread.site_id],
                notice=(notices or {}).get(comment.pk, ""),
                bans=bans.get(comment.pk, []),
            )
        )
    return items


def _traces(comment: Comment) -> set[tuple[str, str]]:
    """What a ban could name about the sender of ``comment``."""
    traces = {(BanKind.IP.value, comment.ip_hash), (BanKind.NETWORK.value, comment.network_hash)}
    if comment.commenter_id:
        traces.add((BanKind.COMMENTER.value, str(comment.commenter_id)))
        if comment.commenter and comment.commenter.email:
            traces.add((BanKind.EMAIL.value, comment.commenter.email.lower()))
    return {(kind, value) for kind, value in traces if value}


def active_bans(comments: list[Comment]) -> dict[int, list[Ban]]:
    """Per comment, the bans in force against its sender: one query for the page."""
    traces = {comment.pk: _traces(comment) for comment in comments}
    wanted = Q(pk__in=[])
    for kind in BanKind.values:
        values = {value for found in traces.values() for trace_kind, value in found if trace_kind == kind}
        if values:
            wanted |= Q(kind=kind, value__in=values)
    if not any(traces.values()):
        return {}
    now = timezone.now()
    found = list(
        Ban.objects.filter(wanted, site_id__in={comment.thread.site_id for comment in comments}, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-created_at")
    )
    return {
        comment.pk: [
            ban
            for ban in found
            if ban.site_id == comment.thread.site_id and (ban.kind, ban.value) in traces[comment.pk]
        ]
        for comment in comments
    }


def with_relations(queryset: Any) -> Any:
    return queryset.select_related("thread__site", "parent", "appeal", "commenter")
