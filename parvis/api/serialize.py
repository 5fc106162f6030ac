"""Model objects → API payloads. Removed comments keep their place but lose author and text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.comments.reading import Node
from parvis.core.models import CommentRule, Site
from parvis.identity import rules
from parvis.identity.email_links import Requested
from parvis.identity.models import sign_in_settings
from parvis.identity.sessions import Opened
from parvis.moderation.policy import active_policy, public_text
from parvis.threads.models import Thread

_PLACEHOLDER = {Status.DELETED: "deleted", Status.REJECTED: "removed", Status.SPAM: "removed"}


def comment(
    item: Comment,
    *,
    own: bool = False,
    replies: list[dict[str, Any]] | None = None,
    moderation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    status = _PLACEHOLDER.get(Status(item.status), item.status)
    # Authors still see the text of their own removed comment, with the reason (`moderation`).
    placeholder = None if own and item.status != Status.DELETED else _PLACEHOLDER.get(Status(item.status))
    anchor = (
        {"exact": item.anchor_exact, "prefix": item.anchor_prefix, "suffix": item.anchor_suffix}
        if item.anchor_exact and placeholder is None
        else None
    )
    return {
        "id": item.pk,
        "parent": item.parent_id,
        "status": status,
        "author": None if placeholder else author(item),
        "html": "" if placeholder else item.body_html,
        "language": item.language,
        "created": item.created_at,
        "edited": item.edited_at,
        "moderator_edited": placeholder is None and item.moderator_edited_at is not None,
        "upvotes": item.upvotes,
        "downvotes": item.downvotes,
        "score": item.score,
        "depth": item.depth,
        "anchor": anchor,
        # Staff marks only on what readers can read: a pinned comment removed since keeps no badge.
        "pinned": item.pinned and item.status == Status.APPROVED,
        "editors_pick": item.editors_pick and item.status == Status.APPROVED,
        "own": own,
        "moderation": moderation if own else None,
        "replies": replies or [],
    }


def author(item: Comment) -> dict[str, Any]:
    """The author line: the name as it was posted, and what the newsroom vouches for now."""
    commenter = item.commenter
    verified = bool(commenter and commenter.verified)
    if commenter is not None and item.thread.author_id == commenter.pk:
        badge: str | None = "author"
    else:
        badge = reader_badge(commenter) if commenter is not None else None
    return {
        "name": item.author_name,
        "website": item.author_website or None,
        "verified": verified,
        "badge": badge,
        "profile": commenter.pk if verified and commenter else None,
    }


def reader_badge(commenter: Commenter) -> str | None:
    if commenter.badge:
        return commenter.badge
    return "subscriber" if rules.SUBSCRIBER in (commenter.roles or ()) else None


def reader(commenter: Commenter) -> dict[str, Any]:
    """A signed-in reader's own profile, as the app shows it."""
    cooldown = timedelta(days=sign_in_settings(commenter.site).name_cooldown_days)
    changeable = commenter.name_changed_at + cooldown if commenter.name_changed_at else None
    return {
        "id": commenter.pk,
        "name": commenter.name,
        "verified": commenter.verified,
        "badge": reader_badge(commenter),
        "roles": list(commenter.roles or ()),
        "avatar_url": commenter.avatar_url or None,
        "profile_public": commenter.profile_public,
        "name_changeable_at": changeable if changeable and changeable > timezone.now() else None,
    }


def session(opened: Opened) -> dict[str, Any]:
    life = opened.expires_at - opened.session.created_at
    return {
        "token": opened.token,
        "expires_at": opened.expires_at,
        "refresh_after": opened.session.created_at + life / 2,
        "reader": reader(opened.session.commenter),
    }


def email_request(requested: Requested) -> dict[str, Any]:
    """What the app polls auth/email/poll with (a sign-in link asked for, or a comment's confirmation mailed)."""
    return {"request": requested.request, "expires_at": requested.expires_at}


def node(item: Node, moderation: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return comment(
        item.comment,
        own=item.own,
        replies=[node(child, moderation) for child in item.replies],
        moderation=moderation.get(item.comment.pk),
    )


def own_nodes(nodes: list[Node]) -> list[Comment]:
    """The reader's own comments anywhere in the tree."""
    found = []
    stack = list(nodes)
    while stack:
        current = stack.pop()
        if current.own:
            found.append(current.comment)
        stack.extend(current.replies)
    return found


def thread(item: Thread | None, key: str, url: str = "", *, site: Site) -> dict[str, Any]:
    if item is None:
        return {
            "id": None, "key": key, "url": url, "title": "", "closed": False, "count": 0,
            "commenting": rules.rule_of(site, None),
        }  # fmt: skip
    return {
        "commenting": rules.rule_of(site, item),
        "id": item.pk,
        "key": item.key,
        "url": item.url,
        "title": item.title,
        "closed": item.is_closed,
        "count": item.comment_count,
    }


def site(item: Site) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "name": item.name,
        "language": item.default_language,
        "moderation": item.moderation_mode,
        "edit_window": item.edit_window,
        "max_comment_length": item.max_comment_length,
        "guests": {
            "allowed": item.who_may_comment == CommentRule.ANYONE,
            "name_required": item.guest_name_required,
            "email": item.guest_email,
        },
        "commenting": commenting(item),
        # The newsroom's own words when it wrote them; otherwise what its moderation policy actually does.
        "policy": {"text": item.policy_text or public_text(active_policy(item).config), "url": item.policy_url},
        "privacy": {"text": item.privacy_text, "url": item.privacy_url},
    }


def commenting(item: Site) -> dict[str, Any]:
    """Who may comment, and the ways of signing in the widget should offer."""
    doors = sign_in_settings(item)
    return {
        "rule": item.who_may_comment,
        "sign_in": {
            "sso": {"login_url": doors.sso_login_url, "label": doors.sso_button_label or item.name}
            if doors.sso_enabled
            else None,
            "oidc": {"label": doors.oidc_button_label or item.name} if doors.oidc_enabled else None,
            "email": doors.email_sign_in,
        },
        "confirm_first_comment": doors.confirm_first_comment,
    }
