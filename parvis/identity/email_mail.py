"""The email carrying a sign-in or confirmation link, built by the outbox when it sends (notifications.compose).

The link token is rebuilt here from the stored hash (email_links.link_token), so it is never stored in clear. An
email that waited past its link's lifetime, or whose link was confirmed meanwhile, is dropped instead of sent.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis import conf
from parvis.comments.models import Comment
from parvis.identity.email_links import link_token
from parvis.identity.models import EmailLink
from parvis.moderation.models import Decision
from parvis.notifications.compose import Content, absolute
from parvis.notifications.models import OutboxMessage

EXCERPT = 300


def link_url(link: EmailLink) -> str:
    path = reverse("email-link:confirm", args=[link.site.slug, link_token(link)])
    return absolute(f"{path}?{urlencode({'lang': link.language})}")


def content(row: OutboxMessage) -> Content | None:
    link = EmailLink.objects.select_related("site").filter(pk=int(row.payload.get("link", 0)), site=row.site).first()
    if link is None or link.confirmed_at is not None or timezone.now() >= link.expires_at:
        return None
    context = {"link_url": link_url(link), "minutes": conf.email_link_seconds() // 60, "purpose": link.purpose}
    if link.purpose == EmailLink.Purpose.SIGN_IN:
        return Content(
            subject=_("Your sign-in link for %(site)s") % {"site": row.site.name}, template="email_link",
            context=context,
        )  # fmt: skip
    comment = Comment.objects.filter(pk=link.comment_id).first()
    if comment is None:
        return None
    held = held_for_email(comment)
    excerpt = _excerpt(comment.body_markdown)
    quoted = "\n".join(f"> {line}".rstrip() for line in excerpt.splitlines())
    context.update({"held": held, "excerpt": excerpt, "quoted": quoted})
    subject = (
        _("Confirm your email to publish your comment on %(site)s")
        if held
        else _("Confirm your email address on %(site)s")
    )
    return Content(subject=subject % {"site": row.site.name}, template="email_link", context=context)


def held_for_email(comment: Comment) -> bool:
    from parvis.comments.actions.post import EMAIL_UNCONFIRMED

    latest = Decision.objects.filter(comment=comment).order_by("-created_at", "-pk").first()
    return latest is not None and latest.categories == [EMAIL_UNCONFIRMED]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
