"""Model objects → API payloads. Removed comments keep their place but lose author and text."""

from __future__ import annotations

from typing import Any

from parvis.comments.models import Comment, Status
from parvis.comments.reading import Node
from parvis.core.models import Site
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
        "author": None
        if placeholder
        else {"name": item.author_name, "website": item.author_website or None, "verified": False},
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


def thread(item: Thread | None, key: str, url: str = "") -> dict[str, Any]:
    if item is None:
        return {"id": None, "key": key, "url": url, "title": "", "closed": False, "count": 0}
    return {
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
            "allowed": item.guests_allowed,
            "name_required": item.guest_name_required,
            "email": item.guest_email,
        },
        # The newsroom's own words when it wrote them; otherwise what its moderation policy actually does.
        "policy": {"text": item.policy_text or public_text(active_policy(item).config), "url": item.policy_url},
        "privacy": {"text": item.privacy_text, "url": item.privacy_url},
    }
