"""Signing in inside the embed: exchange a publisher token for a reader session, read and edit one's profile,
refresh, sign out (here or everywhere), and read a commenter's public profile.

The session travels as `Authorization: Bearer`, never as a cookie (see parvis.identity.sessions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from parvis.accounts.models import Commenter
from parvis.api import serialize
from parvis.api.routers.public import ERRORS, Authorization, CommentId, SiteSlug, _site
from parvis.api.schemas import ProfileOut, ReaderEdit, ReaderOut, SessionOut, SsoIn
from parvis.comments.models import Comment
from parvis.comments.models import Status as CommentStatus
from parvis.comments.validation import NAME_MAX
from parvis.core import ratelimit
from parvis.core.clients import fingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line
from parvis.identity import names, sessions, sso
from parvis.identity.models import sign_in_settings
from parvis.threads.versions import raise_for_commenter

router = Router(tags=["identity"])
PROFILE_COMMENTS = 50


def _signed_in(site_slug: str, authorization: str | None) -> tuple[Site, Commenter]:
    current = _site(site_slug)
    reader = sessions.reader(current, authorization)
    if reader is None:
        raise ProblemError(Code.SESSION_INVALID, "Sign in first: no `Authorization: Bearer` session was sent.")
    return current, reader


def _token(authorization: str | None) -> str:
    token = sessions.bearer(authorization)
    if token is None:
        raise ProblemError(Code.SESSION_INVALID)
    return token


@router.post("/sites/{site}/auth/sso", response={200: SessionOut, **ERRORS}, summary="Sign in with the publisher")
def sign_in_with_publisher(request: HttpRequest, site: SiteSlug, payload: SsoIn) -> dict[str, Any]:
    """Exchange the short-lived token the publisher's backend signed (JWT: `sub`, `aud`, `exp`, `iat`, `jti`,
    optional `name`, `email`, `picture`, `roles`) for a reader session. Each token is accepted once."""
    current = _site(site)
    ratelimit.enforce("PARVIS_RATELIMIT_SIGN_IN_IP", fingerprint(request).ip_hash)
    _, opened = sso.exchange(current, payload.token)
    return serialize.session(opened)


@router.get("/sites/{site}/auth/me", response={200: ReaderOut, **ERRORS}, summary="The signed-in reader")
def me(request: HttpRequest, site: SiteSlug, authorization: Authorization = None) -> dict[str, Any]:
    _, reader = _signed_in(site, authorization)
    return serialize.reader(reader)


@router.patch("/sites/{site}/auth/me", response={200: ReaderOut, **ERRORS}, summary="Change your name or profile")
def edit_me(request: HttpRequest, site: SiteSlug, payload: ReaderEdit, authorization: Authorization = None) -> Any:
    """Change the display name (once per cooldown, never to a name that passes for the newsroom) or whether the
    profile page lists your comments."""
    current, reader = _signed_in(site, authorization)
    changed: list[str] = []
    if payload.name is not None:
        name = clean_line(payload.name, "name")
        if not name or len(name) > NAME_MAX:
            raise ProblemError(Code.NAME_REQUIRED, f"Give a name of 1 to {NAME_MAX} characters.", field="name")
        if name != reader.name:
            cooldown = timedelta(days=sign_in_settings(current).name_cooldown_days)
            if reader.name_changed_at and timezone.now() < reader.name_changed_at + cooldown:
                raise ProblemError(
                    Code.NAME_CHANGE_TOO_SOON,
                    f"You can change your name again after {reader.name_changed_at + cooldown:%Y-%m-%d %H:%M} UTC.",
                    field="name",
                )
            names.refuse_impersonation(current, name, commenter=reader)
            reader.name, reader.name_changed_at = name, timezone.now()
            changed += ["name", "name_changed_at"]
    if payload.profile_public is not None and payload.profile_public != reader.profile_public:
        reader.profile_public = payload.profile_public
        changed.append("profile_public")
    if changed:
        with transaction.atomic():
            reader.save(update_fields=changed)
            if "name" in changed:
                # New comments carry the new name; past ones keep the name they were posted under, as readers saw.
                raise_for_commenter(reader)
    return serialize.reader(reader)


@router.post("/sites/{site}/auth/refresh", response={200: SessionOut, **ERRORS}, summary="Refresh the session")
def refresh(request: HttpRequest, site: SiteSlug, authorization: Authorization = None) -> dict[str, Any]:
    """A new token for the same reader; the one sent stops working."""
    return serialize.session(sessions.refresh(_site(site), _token(authorization)))


@router.post("/sites/{site}/auth/sign-out", response={204: None, **ERRORS}, summary="Sign out")
def sign_out(request: HttpRequest, site: SiteSlug, authorization: Authorization = None) -> Status[None]:
    sessions.revoke(_site(site), _token(authorization))
    return Status(204, None)


@router.post(
    "/sites/{site}/auth/sign-out-everywhere", response={204: None, **ERRORS}, summary="Sign out on every device"
)
def sign_out_everywhere(request: HttpRequest, site: SiteSlug, authorization: Authorization = None) -> Status[None]:
    _, reader = _signed_in(site, authorization)
    sessions.revoke_all(reader)
    return Status(204, None)


@router.get("/sites/{site}/commenters/{commenter_id}", response={200: ProfileOut, **ERRORS}, summary="A profile")
def profile(request: HttpRequest, site: SiteSlug, commenter_id: CommentId) -> Any:
    """A verified commenter's public profile: name, badge, and their published comments on this site unless they
    chose to keep them off it."""
    return profile_of(_site(site), commenter_id)


def profile_of(site: Site, commenter_id: int) -> dict[str, Any]:
    """Shared with the profile page (parvis.web)."""
    commenter = (
        Commenter.objects.filter(site=site, pk=commenter_id, verified=True).first()
        if 0 < commenter_id < 2**63
        else None
    )
    if commenter is None:
        raise ProblemError(Code.COMMENTER_NOT_FOUND)
    published = Comment.objects.filter(commenter=commenter, status=CommentStatus.APPROVED)
    listed = (
        list(published.select_related("thread").order_by("-created_at")[:PROFILE_COMMENTS])
        if commenter.profile_public
        else []
    )
    return {
        "id": commenter.pk,
        "name": commenter.name,
        "badge": serialize.reader_badge(commenter),
        "verified": commenter.verified,
        "public": commenter.profile_public,
        "comment_count": published.count() if commenter.profile_public else 0,
        "comments": [
            {
                "id": item.pk,
                "thread_title": item.thread.title or item.thread.key,
                "thread_url": item.thread.url if item.thread.url.startswith(("https://", "http://")) else "",
                "html": item.body_html,
                "created": item.created_at,
            }
            for item in listed
        ],
    }
