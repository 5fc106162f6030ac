"""Signing in by email inside the embed: ask for a link, then poll until it is clicked (on any device).

The app keeps the `request` secret it is given and polls with it; the link itself opens a Parvis page
(/auth/<site>/email/<token>) whose button confirms it. The poll answers 202 `waiting`, then the session once
(200), then `link_used` (410); `link_expired` (410) when nobody clicked in time; `link_invalid` for an unknown
request. Asking for a link answers the same for every address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from parvis.api import serialize
from parvis.api.routers.public import ERRORS, SiteSlug, _site
from parvis.api.schemas import EmailPollIn, EmailPollOut, EmailSignInIn, EmailSignInOut, SessionOut
from parvis.core.clients import fingerprint
from parvis.identity import email_links

router = Router(tags=["identity"])
LINK_ERRORS: dict[int, Any] = {**ERRORS, 410: ERRORS[404]}


@router.post(
    "/sites/{site}/auth/email", response={202: EmailSignInOut, **ERRORS}, summary="Ask for a sign-in link by email"
)
def ask_for_link(request: HttpRequest, site: SiteSlug, payload: EmailSignInIn) -> Status[dict[str, Any]]:
    """Mail a sign-in link to the address (in `language`, else the site's). Rate-limited per IP and per address;
    `sign_in_unavailable` (409) when the site does not offer email sign-in."""
    requested = email_links.request_sign_in(_site(site), payload.email, payload.language, fingerprint(request))
    return Status(202, serialize.email_request(requested))


@router.post(
    "/sites/{site}/auth/email/poll",
    response={200: SessionOut, 202: EmailPollOut, **LINK_ERRORS},
    summary="Was the sign-in link clicked?",
)
def poll(request: HttpRequest, site: SiteSlug, payload: EmailPollIn) -> Status[dict[str, Any]]:
    polled = email_links.poll(_site(site), payload.request)
    if polled.opened is None:
        return Status(202, {"state": "waiting"})
    return Status(200, serialize.session(polled.opened))
