"""Readers' own data: ask for the link, then read, download or erase with the token it carries.

Anyone may ask for a link (the answer is the same for every address, and rate-limited per IP and per address);
everything else needs the token from the mailed link (the last path segment of
``/privacy/<site>/access/<token>/``) in the ``Parvis-Privacy-Token`` header. A bad token is refused with a stable
code: ``link_invalid`` (altered), ``link_expired``, ``link_other_site``, ``link_used`` (the data was erased).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Header, Path, Router, Schema, Status

from parvis.api.routers.public import ERRORS, _site
from parvis.core.clients import fingerprint
from parvis.privacy import actions, data, tokens
from parvis.privacy.notice import notice

router = Router(tags=["public"])
SiteSlug = Annotated[str, Path(max_length=50, description="The site's slug (data-parvis-site).")]
Token = Annotated[str, Header(alias="Parvis-Privacy-Token", max_length=500)]
LINK_ERRORS: dict[int, Any] = {**ERRORS, 410: ERRORS[404]}


class AccessIn(Schema):
    email: str = Field(..., max_length=254, description="The address used on the site; the link is sent there.")
    language: str = Field("", max_length=8, description="fr, en, he or ar (default: the site's language).")


class AccessOut(Schema):
    status: Literal["link_sent"]


class SummaryOut(Schema):
    comments: int
    subscriptions: int
    votes: int
    erasure: Literal["delete", "anonymise", "redact"] = Field(description="What erasing does to the comments.")


class ErasedOut(Schema):
    erasure: Literal["delete", "anonymise", "redact"]
    comments: int
    subscriptions: int
    votes: int


class StoredOut(Schema):
    what: str
    kept: str


class ServiceOut(Schema):
    name: str
    host: str
    receives: str


class NoticeOut(Schema):
    stored: list[StoredOut]
    services: list[ServiceOut]
    erasure: Literal["delete", "anonymise", "redact"]
    erasure_text: str
    request_url: str


@router.get("/sites/{site}/privacy", response={200: NoticeOut, **ERRORS}, summary="What is kept about readers")
def privacy_notice(request: HttpRequest, site: SiteSlug) -> dict[str, Any]:
    found = notice(_site(site))
    return {
        "stored": [{"what": entry.what, "kept": entry.kept} for entry in found.stored],
        "services": [{"name": item.name, "host": item.host, "receives": item.receives} for item in found.services],
        "erasure": found.erasure, "erasure_text": found.erasure_text, "request_url": found.request_url,
    }  # fmt: skip


@router.post("/sites/{site}/privacy/requests", response={202: AccessOut, **ERRORS}, summary="Ask for my data")
def ask(request: HttpRequest, site: SiteSlug, payload: AccessIn) -> Status[dict[str, Any]]:
    actions.request_access(_site(site), payload.email, payload.language, fingerprint(request))
    return Status(202, {"status": "link_sent"})


@router.get("/sites/{site}/privacy/summary", response={200: SummaryOut, **LINK_ERRORS}, summary="My data, counted")
def my_summary(request: HttpRequest, site: SiteSlug, token: Token) -> dict[str, Any]:
    current = _site(site)
    access = tokens.read(current, token)
    counted = data.summary(data.Person(current, access.email))
    return {"comments": counted.comments, "subscriptions": counted.subscriptions, "votes": counted.votes,
            "erasure": actions.erasure_policy(current)}  # fmt: skip


@router.get("/sites/{site}/privacy/data", response={200: dict[str, Any], **LINK_ERRORS}, summary="Download my data")
def my_data(request: HttpRequest, site: SiteSlug, token: Token) -> dict[str, Any]:
    current = _site(site)
    access = tokens.read(current, token)
    return data.export(data.Person(current, access.email))


@router.post("/sites/{site}/privacy/erasure", response={200: ErasedOut, **LINK_ERRORS}, summary="Erase my data")
def erase(request: HttpRequest, site: SiteSlug, token: Token) -> dict[str, Any]:
    current = _site(site)
    access = tokens.read(current, token)
    result = actions.erase(current, access.email, label="reader", via="api")
    return {"erasure": result.policy, "comments": len(result.comments), "subscriptions": result.subscriptions,
            "votes": result.votes}  # fmt: skip
