"""Endpoints anyone may call to ask for email notifications (the widget's subscribe control).

Asking only ever sends one confirmation email; nothing else is sent to the address until its owner clicks the
link in it (double opt-in). The answer is the same whether the address was known, new or already confirmed,
so the endpoint cannot be used to learn who subscribes to what.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Router, Schema, Status

from parvis import conf
from parvis.api.routers.public import ERRORS, _site
from parvis.api.schemas import ThreadRef
from parvis.core.clients import fingerprint
from parvis.notifications import actions

router = Router(tags=["public"])
SiteSlug = Annotated[str, Path(max_length=50, description="The site's slug (data-parvis-site).")]


class SubscriptionIn(Schema):
    email: str = Field(..., max_length=254, description="Where to send; confirmed by a link sent there first.")
    kind: Literal["thread", "replies"] = Field(
        "thread", description="`thread`: new comments in this thread; `replies`: replies to your comments."
    )
    frequency: Literal["instant", "daily"] = "instant"
    language: str = Field("", max_length=8, description="fr, en, he or ar (default: the site's language).")
    thread: ThreadRef | None = Field(None, description="The thread, for kind `thread`.")


class SubscriptionOut(Schema):
    status: Literal["confirmation_sent"]
    feed: str = Field(description="The thread's Atom feed (or the site's, for kind `replies`).")


@router.post("/sites/{site}/subscriptions", response={202: SubscriptionOut, **ERRORS}, summary="Subscribe by email")
def subscribe(request: HttpRequest, site: SiteSlug, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    current = _site(site)
    thread = payload.thread
    wanted = actions.Request(
        email=payload.email, kind=payload.kind, frequency=payload.frequency, language=payload.language,
        thread_key=thread.key if thread else None, thread_url=thread.url if thread else None,
        thread_title=thread.title if thread else "",
    )  # fmt: skip
    subscription = actions.subscribe(current, wanted, fingerprint(request))
    if subscription.thread is not None:
        # Encoded: a key may hold spaces, "&" or "#", which would otherwise cut or change the query.
        feed = (
            reverse("notifications:thread-feed", args=[current.slug])
            + "?"
            + urlencode({"key": subscription.thread.key})
        )
    else:
        feed = reverse("notifications:site-feed", args=[current.slug])
    return Status(202, {"status": "confirmation_sent", "feed": conf.public_url() + feed})
