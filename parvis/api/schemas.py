"""Shapes of the public API, in and out. Bounds here document the contract; the actions re-check them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from parvis.comments.models import FlagReason

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ThreadRef(Schema):
    key: str | None = Field(None, max_length=512, description="The publisher's id (data-parvis-id).")
    url: str | None = Field(None, max_length=2048, description="The article URL; the key when no id is given.")
    title: str = Field("", max_length=300)


class AuthorIn(Schema):
    name: str = Field("", max_length=64)
    email: str = Field("", max_length=254, description="Never shown to anyone.")
    website: str = Field("", max_length=512)


class Anchor(Schema):
    """W3C TextQuoteSelector: the passage of the article an inline comment is about."""

    exact: str = Field(..., min_length=1, max_length=1000)
    prefix: str = Field("", max_length=64)
    suffix: str = Field("", max_length=64)


class CommentCreate(Schema):
    thread: ThreadRef
    parent: Id | None = None
    body: str = Field(..., max_length=20000, description="Markdown subset.")
    author: AuthorIn = Field(default_factory=lambda: AuthorIn.model_validate({}))
    anchor: Anchor | None = None
    honeypot: str = Field("", max_length=200, description="A form field hidden from people: leave it empty.")
    seconds_to_submit: float | None = Field(
        None, ge=0, le=86400 * 7, description="Seconds between opening the form and sending it (spam signal)."
    )
    verify_email: bool = Field(
        False, description="A guest with an email asks for a link proving it (verified badge); the comment won't wait."
    )


class AppealIn(Schema):
    message: str = Field("", max_length=1000, description="Optional: why the comment should be published.")


class ReasonOut(Schema):
    code: str = Field(
        ...,
        description="A policy category, a custom category's slug, or why the comment waits "
        "(premoderation, thread_premoderated, first_comment, surge, checking, unavailable, email_unconfirmed).",
    )
    label: str = Field(..., description="The category's name in the site's words (custom categories).")


class ModerationOut(Schema):
    """What the author is told about a comment that is not (or not yet) published."""

    action: Literal["publish", "hold", "reject", "spam"]
    reasons: list[ReasonOut]
    appealable: bool
    appealed: bool


class AppealOut(Schema):
    received: bool


class CommentEdit(Schema):
    body: str = Field(..., max_length=20000)


class VoteIn(Schema):
    value: Literal[-1, 0, 1]


class FlagIn(Schema):
    reason: FlagReason
    note: str = Field("", max_length=500)


class CountsIn(Schema):
    keys: list[Annotated[str, Field(max_length=2048)]] = Field(..., max_length=1000)


class AuthorOut(Schema):
    name: str
    website: str | None
    verified: bool = Field(..., description="Signed in, or proved their email address.")
    badge: Literal["author", "staff", "journalist", "subscriber"] | None = Field(
        None, description="`author`: wrote the article; `staff`, `journalist`: set by the newsroom."
    )
    profile: int | None = Field(None, description="The commenter's id for their profile page (verified only).")


class CommentOut(Schema):
    id: int
    parent: int | None
    status: Literal["approved", "pending", "deleted", "removed"]
    author: AuthorOut | None
    html: str
    language: str
    created: datetime
    edited: datetime | None
    moderator_edited: bool = Field(
        False, description="The moderation edited or redacted the text: show it as edited by the moderation."
    )
    upvotes: int
    downvotes: int
    score: int
    depth: int
    anchor: Anchor | None
    pinned: bool = Field(False, description="Pinned by the moderators: shown first in its thread.")
    editors_pick: bool = Field(False, description="Marked as an editor's pick by the newsroom.")
    own: bool = Field(False, description="Posted by the reader whose edit token came with the request.")
    moderation: ModerationOut | None = Field(
        None, description="Only on your own comments that are held or were removed: why, and whether you can appeal."
    )
    replies: list[CommentOut] = []


class ThreadOut(Schema):
    id: int | None
    key: str
    url: str
    title: str
    closed: bool
    count: int = Field(..., description="Published comments in the whole thread.")
    commenting: Literal["anyone", "signed_in", "subscribers", "staff"] = Field(
        "anyone", description="Who may comment here (the thread's rule, or its site's)."
    )


class ThreadPage(Schema):
    thread: ThreadOut
    comments: list[CommentOut]
    top_level_total: int
    next_cursor: str | None
    latest: int = Field(
        ...,
        description="The newest comment id when this page set was first read; ask "
        "thread/updates and thread/events for what is newer.",
    )
    decided: int = Field(
        0,
        description="The newest moderation decision when this page was read; give it to thread/updates and "
        "thread/events as `decided` to hear of comments the moderation published or took down since.",
    )


class EmailSignInOut(Schema):
    request: str = Field(..., description="Keep it in the app and poll with it (POST auth/email/poll).")
    expires_at: datetime


class CreatedComment(Schema):
    comment: CommentOut
    edit_token: str = Field(..., description="Keep it: it proves authorship for edit/delete until edit_until.")
    edit_until: datetime
    confirmation: EmailSignInOut | None = Field(
        None,
        description="A confirmation link was mailed to the author: poll auth/email/poll with `request` to be "
        "signed in (by email) once they click it.",
    )


class VoteOut(Schema):
    upvotes: int
    downvotes: int
    score: int
    your_vote: int


class FlagOut(Schema):
    received: bool


class CountsOut(Schema):
    counts: dict[str, int]


class GuestRules(Schema):
    allowed: bool
    name_required: bool
    email: Literal["required", "optional"]


class Notice(Schema):
    text: str
    url: str


class SsoDoor(Schema):
    login_url: str = Field(..., description="The publisher's sign-in page; empty when the page signs readers in.")
    label: str


class OidcDoor(Schema):
    label: str


class SignInDoors(Schema):
    sso: SsoDoor | None
    oidc: OidcDoor | None
    email: bool


class Commenting(Schema):
    rule: Literal["anyone", "signed_in", "subscribers", "staff"]
    sign_in: SignInDoors
    confirm_first_comment: bool


class SiteOut(Schema):
    slug: str
    name: str
    language: str
    moderation: Literal["pre", "post"]
    edit_window: int
    max_comment_length: int
    guests: GuestRules
    commenting: Commenting
    policy: Notice
    privacy: Notice


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    errors: list[dict[str, str | None]] | None = None


class PreviewIn(Schema):
    body: str = Field(..., max_length=20000)


class PreviewOut(Schema):
    html: str


class UpdatesOut(Schema):
    count: int
    latest: int
    comments: list[CommentOut]
    removed: list[int] = Field(
        [], description="With `decided`: comments taken down since (rejected, spam, held again, deleted)."
    )
    decided: int = Field(..., description="The `decided` cursor to send next time.")


class SsoIn(Schema):
    token: str = Field(..., min_length=1, max_length=8192, description="The JWT the publisher's backend signed.")


class ReaderOut(Schema):
    id: int
    name: str
    verified: bool
    badge: Literal["staff", "journalist", "subscriber"] | None
    roles: list[str]
    avatar_url: str | None
    profile_public: bool
    name_changeable_at: datetime | None = Field(..., description="When the name may change again; null: now.")


class SessionOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`; keep it in the app's storage.")
    expires_at: datetime
    refresh_after: datetime = Field(..., description="Ask for a new token (POST auth/refresh) after this.")
    reader: ReaderOut


class ReaderEdit(Schema):
    name: str | None = Field(None, max_length=64)
    profile_public: bool | None = None


class ProfileComment(Schema):
    id: int
    thread_title: str
    thread_url: str
    html: str
    created: datetime


class ProfileOut(Schema):
    id: int
    name: str
    badge: Literal["staff", "journalist", "subscriber"] | None
    verified: bool
    public: bool = Field(..., description="False: the commenter keeps their comments off their profile.")
    comment_count: int
    comments: list[ProfileComment]


class EmailSignInIn(Schema):
    email: str = Field(..., max_length=254, description="The sign-in link is mailed to this address.")
    language: str = Field("", max_length=8, description="fr, en, he or ar: the email's language (default: the site's).")


class EmailPollIn(Schema):
    request: str = Field(..., min_length=1, max_length=200)


class EmailPollOut(Schema):
    state: Literal["waiting"]
