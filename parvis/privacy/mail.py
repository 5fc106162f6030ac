"""The email carrying a reader's data link, built by the outbox when it sends (see notifications.compose).

The link is signed at sending time but lives from the request (tokens.expired): an email that waited past the
link's lifetime is dropped instead of sent dead.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from parvis import conf
from parvis.notifications.compose import Content, absolute
from parvis.notifications.models import OutboxMessage
from parvis.privacy import tokens
from parvis.privacy.models import AccessRequest


def content(row: OutboxMessage) -> Content | None:
    request = AccessRequest.objects.filter(pk=int(row.payload.get("request", 0)), site=row.site).first()
    if request is None or request.erased_at is not None or tokens.expired(request):
        return None
    token = tokens.make(request)
    return Content(
        subject=_("Your data on %(site)s") % {"site": row.site.name},
        template="privacy_link",
        context={
            "access_url": absolute(reverse("privacy:access", args=[row.site.slug, token])),
            "hours": conf.privacy_link_seconds() // 3600,
        },
    )
