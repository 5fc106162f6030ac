"""Turning an outbox row into an email (HTML and plain text, in the reader's language), at sending time.

Rendering late is what keeps the promise "only approved comments are ever mailed": a comment rejected while its
email waited is left out, and an email with nothing left to say is dropped (``build`` returns None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis import conf
from parvis.comments.models import Comment, Status
from parvis.core.page_language import TRANSLATED
from parvis.notifications import tokens
from parvis.notifications.addresses import header_text, smtp_address
from parvis.notifications.models import OutboxMessage, OutboxStatus, SiteEmailSettings, Subscription

RTL = {"he", "ar"}
DEFAULT_COLOUR = "#1a5fb4"


@dataclass(frozen=True)
class Built:
    message: EmailMessage
    sender: str
    recipient: str
    smtputf8: bool


@dataclass(frozen=True)
class Content:
    subject: str
    template: str
    context: dict[str, Any]
    # Emails about a subscription carry RFC 8058 one-click unsubscribe headers naming what the click removes
    # (one subscription, or for a digest every daily one of the address: subscription_id None); staff alerts
    # and the confirmation (nothing to leave yet) do not.
    unsubscribe: tokens.Claim | None = None


def absolute(path: str) -> str:
    return conf.public_url() + path


def page_link(name: str, token: str, language: str) -> str:
    """A link to one of the pages emails lead to, with ``?lang=`` so it opens in the email's language."""
    return absolute(f"{reverse(f'notifications:{name}', args=[token])}?{urlencode({'lang': language})}")


def comment_link(comment: Comment) -> str:
    thread = comment.thread
    if thread.url:
        return f"{thread.url}#parvis-comment-{comment.pk}"
    query = urlencode({"key": thread.key})
    return absolute(f"{reverse('thread-page', args=[thread.site.slug])}?{query}#comment-{comment.pk}")


def _approved(ids: list[int]) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(pk__in=ids, status=Status.APPROVED)
        .select_related("thread", "thread__site", "parent")
        .order_by("created_at", "pk")
    )


def _subscription(row: OutboxMessage, *, confirmed: bool = True) -> Subscription | None:
    subscription = row.subscription
    if subscription is None or subscription.confirmed != confirmed:
        return None
    return subscription


def _confirm(row: OutboxMessage) -> Content | None:
    subscription = _subscription(row, confirmed=False)
    if subscription is None:
        return None
    token = tokens.confirm_token(subscription.site_id, subscription.address_key, subscription.pk)
    return Content(
        subject=_("Confirm your subscription to %(site)s") % {"site": row.site.name},
        template="confirm",
        context={
            "subscription": subscription,
            "thread": subscription.thread,
            "confirm_url": page_link("confirm", token, translation.get_language()),
            "days": conf.email_confirm_days(),
        },
    )


def _reply(row: OutboxMessage) -> Content | None:
    subscription = _subscription(row)
    comments = list(_approved([int(row.payload.get("comment", 0))]))
    if subscription is None or not comments or comments[0].parent is None:
        return None
    reply = comments[0]
    if reply.parent is None or reply.parent.status != Status.APPROVED:
        return None
    return Content(
        subject=_("%(name)s replied to your comment") % {"name": reply.author_name or _("A reader")},
        template="reply",
        context={"reply": reply, "parent": reply.parent, "thread": reply.thread, "link": comment_link(reply)},
        unsubscribe=_claim(subscription),
    )


def _claim(subscription: Subscription) -> tokens.Claim:
    return tokens.Claim(subscription.site_id, subscription.address_key, subscription.pk)


def _mailed_before(subscription: Subscription, row: OutboxMessage, comments: list[Comment]) -> set[int]:
    """Which of ``comments`` an earlier email of this subscription already carried: a comment rejected and then
    approved again is published a second time, but its subscribers heard of it once. Only emails sent after
    the oldest of them was posted can hold them, which bounds the search."""
    earlier = OutboxMessage.objects.filter(
        subscription=subscription, kind="thread", status=OutboxStatus.SENT,
        sent_at__gte=min(comment.created_at for comment in comments),
    ).exclude(pk=row.pk)  # fmt: skip
    wanted = {comment.pk for comment in comments}
    return {
        int(item) for payload in earlier.values_list("payload", flat=True) for item in payload.get("comments", [])
    } & wanted


def _thread(row: OutboxMessage) -> Content | None:
    subscription = _subscription(row)
    if subscription is None:
        return None
    comments = list(_approved([int(item) for item in row.payload.get("comments", [])]))
    if comments:
        known = _mailed_before(subscription, row, comments)
        comments = [comment for comment in comments if comment.pk not in known]
    if not comments:
        return None
    thread = comments[0].thread
    count = len(comments)
    return Content(
        subject=ngettext("%(count)s new comment on “%(title)s”", "%(count)s new comments on “%(title)s”", count)
        % {"count": count, "title": thread.title or thread.key},
        template="thread",
        context={"thread": thread, "comments": [(comment, comment_link(comment)) for comment in comments]},
        unsubscribe=_claim(subscription),
    )


def _digest(row: OutboxMessage) -> Content | None:
    from parvis.notifications import digests

    sections = digests.sections(row)
    if not sections:
        return None
    count = sum(len(items) for _title, items in sections)
    address = Subscription.objects.filter(pk__in=row.payload.get("subscriptions", [])).values_list(
        "address_key", flat=True
    ).first()  # fmt: skip
    if address is None:
        return None
    return Content(
        subject=ngettext(
            "Your daily digest from %(site)s: %(count)s comment",
            "Your daily digest from %(site)s: %(count)s comments",
            count,
        )
        % {"site": row.site.name, "count": count},
        template="digest",
        context={"sections": sections},
        unsubscribe=tokens.Claim(row.site_id, address, None),
    )


def _staff_queue(row: OutboxMessage) -> Content | None:
    count = int(row.payload.get("count", 0))
    return Content(
        subject=ngettext(
            "%(count)s comment waits for moderation on %(site)s",
            "%(count)s comments wait for moderation on %(site)s",
            count,
        )
        % {"count": count, "site": row.site.name},
        template="staff_queue",
        context={"count": count, "queue_url": absolute(reverse("dashboard:queue"))},
    )


def _staff_report(row: OutboxMessage) -> Content | None:
    comments = list(
        Comment.objects.filter(pk=int(row.payload.get("comment", 0))).exclude(status=Status.DELETED)
        .select_related("thread")
    )  # fmt: skip
    if not comments:
        return None
    comment = comments[0]
    return Content(
        subject=ngettext(
            "A comment was reported %(count)s time on %(site)s",
            "A comment was reported %(count)s times on %(site)s",
            comment.flag_count,
        )
        % {"count": comment.flag_count, "site": row.site.name},
        template="staff_report",
        context={"comment": comment, "queue_url": absolute(reverse("dashboard:queue") + "?tab=reported")},
    )


def _privacy_link(row: OutboxMessage) -> Content | None:
    from parvis.privacy import mail  # the privacy app builds on the outbox, not the reverse

    return mail.content(row)


def _email_link(row: OutboxMessage) -> Content | None:
    from parvis.identity import email_mail  # the identity app builds on the outbox, not the reverse

    return email_mail.content(row)


BUILDERS: dict[str, Callable[[OutboxMessage], Content | None]] = {
    "confirm": _confirm,
    "reply": _reply,
    "thread": _thread,
    "digest": _digest,
    "staff_queue": _staff_queue,
    "staff_report": _staff_report,
    "privacy_link": _privacy_link,
    "email_link": _email_link,
}


def build(row: OutboxMessage, now: datetime | None = None) -> Built | None:
    """The email of ``row``, or None when there is nothing left to send."""
    from parvis.notifications import outbox

    builder = BUILDERS.get(row.kind)
    if builder is None:
        return None
    language = row.language if row.language in TRANSLATED else "en"
    with translation.override(language):
        content = builder(row)
        if content is None:
            return None
        site = row.site
        colours = SiteEmailSettings.objects.filter(site=site).values_list("accent_colour", flat=True).first()
        context = {
            **content.context,
            "site": site,
            "subject": content.subject,
            "colour": colours or DEFAULT_COLOUR,
            "language": language,
            "direction": "rtl" if language in RTL else "ltr",
            "recipient": row.recipient,
        }
        if content.unsubscribe is not None:
            claim = content.unsubscribe
            unsubscribe = (
                tokens.digest_unsubscribe_token(site.pk, claim.address_key)
                if claim.subscription_id is None
                else tokens.unsubscribe_token(site.pk, claim.address_key, claim.subscription_id)
            )
            manage = tokens.manage_token(site.pk, claim.address_key)
            context["unsubscribe_url"] = page_link("unsubscribe", unsubscribe, language)
            context["manage_url"] = page_link("manage", manage, language)
        text = render_to_string(f"notifications/email/{content.template}.txt", context)
        html = render_to_string(f"notifications/email/{content.template}.html", context)
    envelope, needs_utf8 = smtp_address(row.recipient)
    message = EmailMessage(policy=SMTPUTF8 if needs_utf8 else SMTP)
    configured_name, sender = parseaddr(conf.email_from())
    message["Subject"] = header_text(content.subject, 250)
    # An Address, not a string: the header policy quotes a name with commas, quotes or angle brackets and
    # encodes a non-ASCII one (RFC 2047), so the site's name can never turn into a second address.
    message["From"] = Address(display_name=header_text(site.name, 80) or configured_name, addr_spec=sender)
    message["To"] = envelope
    message["Date"] = format_datetime(now or timezone.now())
    message["Message-ID"] = outbox.message_id(row.key)
    message["Auto-Submitted"] = "auto-generated"
    if "unsubscribe_url" in context:
        message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # The slug alone (ASCII by construction): a display name here would need quoting rules of its own.
        message["List-Id"] = f"<{site.slug}.{sender.rpartition('@')[2] or 'parvis.invalid'}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the body: set_content() clears every Content-* header of the part it fills, this one included.
    message["Content-Language"] = language
    return Built(message=message, sender=sender, recipient=envelope, smtputf8=needs_utf8)
