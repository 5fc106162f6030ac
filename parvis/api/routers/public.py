"""Endpoints anyone may call: read threads and counts, post as a guest, vote, report, and edit or delete
one's own comment with its edit token. No cookies, no session: nothing here can be ridden by CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from ninja import Header, Path, Query, Router, Status

from parvis import conf
from parvis.api import live_door, serialize, thread_pages
from parvis.api.errors import catalogue
from parvis.api.rendering import CONTENT_TYPE, json_response
from parvis.api.schemas import (
    MAX_ID,
    AppealIn,
    AppealOut,
    CommentCreate,
    CommentEdit,
    CommentOut,
    CountsIn,
    CountsOut,
    CreatedComment,
    FlagIn,
    FlagOut,
    PreviewIn,
    PreviewOut,
    Problem,
    SiteOut,
    ThreadPage,
    UpdatesOut,
    VoteIn,
    VoteOut,
)
from parvis.comments import live, rendering, validation
from parvis.comments.actions import own, react
from parvis.comments.actions.post import Draft, edit_deadline, post_comment
from parvis.comments.reading import MAX_PAGE, Sort, decided_after, newest_decision, published_after, read_page
from parvis.core import ratelimit
from parvis.core.clients import fingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.sites import site_by_slug
from parvis.core.text import clean_fragment
from parvis.identity import sessions
from parvis.moderation import actions as moderation_actions
from parvis.moderation.outcome import outcomes
from parvis.threads.keys import MAX_KEY_LENGTH, thread_key
from parvis.threads.models import Thread

router = Router(tags=["public"])

MAX_COUNT_KEYS = 100
MAX_URL_LENGTH = 2048
MAX_CURSOR_LENGTH = 64
DEFAULT_PAGE = 20
SiteSlug = Annotated[str, Path(max_length=50, description="The site's slug (data-parvis-site).")]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID)]
ThreadKey = Annotated[str | None, Query(max_length=MAX_KEY_LENGTH, description="The publisher's id for the article.")]
ThreadUrl = Annotated[str | None, Query(max_length=MAX_URL_LENGTH, description="The article URL, when it has no id.")]
ERRORS: dict[int, Any] = {code: Problem for code in (400, 401, 403, 404, 409, 413, 415, 422, 429)}
Authorization = Annotated[
    str | None, Header(alias="Authorization", max_length=200, description="`Bearer <session token>` when signed in.")
]


def _site(slug: str) -> Site:
    site = site_by_slug(slug)
    if site is None:
        raise ProblemError(Code.SITE_NOT_FOUND)
    return site


def _tokens(header: str | None) -> list[str]:
    return [token for token in (header or "").replace(",", " ").split() if token]


@router.get("/sites/{site}", response={200: SiteOut, **ERRORS}, summary="A site's public rules")
def site_rules(request: HttpRequest, site: SiteSlug) -> dict[str, Any]:
    return serialize.site(_site(site))


@router.get("/sites/{site}/thread", response={200: ThreadPage, **ERRORS}, summary="Read a thread")
def read_thread(
    request: HttpRequest,
    site: SiteSlug,
    key: ThreadKey = None,
    url: ThreadUrl = None,
    sort: Sort = Sort.OLDEST,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)] = None,
    own_tokens: Annotated[str | None, Header(alias="Parvis-Own-Tokens", max_length=4000)] = None,
) -> HttpResponse:
    """Published comments as a tree, a page of top-level comments at a time. Send the edit tokens you
    hold in `Parvis-Own-Tokens` (space separated) to also see your own comments awaiting moderation.

    The answer has an `ETag`: send it back in `If-None-Match` and an unchanged thread answers 304 with no body.
    Without own tokens it may be kept by shared caches for a few seconds (`Cache-Control: s-maxage`,
    `stale-while-revalidate`)."""
    tokens = _tokens(own_tokens)
    current = _site(site)
    wanted = thread_key(key, url)
    thread = Thread.objects.filter(site=current, key=wanted).first()
    if thread is not None:
        thread.site = current
    if thread is None:
        if cursor:
            raise ProblemError(Code.INVALID_CURSOR, field="cursor")
        empty = {
            "thread": serialize.thread(None, wanted, site=current),
            "comments": [],
            "top_level_total": 0,
            "next_cursor": None,
            "latest": 0,
            "decided": newest_decision(),
        }
        return _thread_headers(_thread_response(request, empty), personal=bool(tokens))
    if tokens:
        return _thread_headers(
            _thread_response(request, _thread_page(thread, wanted, sort, limit, cursor, tokens)), personal=True
        )
    page = thread_pages.page_key(thread, sort.value, limit, cursor)
    tag = thread_pages.etag(page)
    unchanged = get_conditional_response(request, etag=tag)
    if unchanged is not None:
        answer: HttpResponse = unchanged
    else:
        answer = HttpResponse(
            thread_pages.rendered(
                page, lambda: _thread_response(request, _thread_page(thread, wanted, sort, limit, cursor, [])).content
            ),
            content_type=CONTENT_TYPE,
        )
    answer["ETag"] = tag
    return _thread_headers(answer, personal=False)


def _thread_page(
    thread: Thread, wanted: str, sort: Sort, limit: int, cursor: str | None, tokens: list[str]
) -> dict[str, Any]:
    page = read_page(thread, sort, limit, cursor, tokens)
    moderation = outcomes(serialize.own_nodes(page.nodes))
    return {
        "thread": serialize.thread(thread, wanted, site=thread.site),
        "comments": [serialize.node(node, moderation) for node in page.nodes],
        "top_level_total": page.top_level_total,
        "next_cursor": page.next_cursor,
        "latest": page.latest,
        "decided": page.decided,
    }


def _thread_response(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    """The JSON of a thread page, checked against `ThreadPage` as every answer of the API is."""
    return json_response(request, ThreadPage.model_validate(payload).model_dump())


def _thread_headers(response: HttpResponse, personal: bool) -> HttpResponse:
    response["Cache-Control"] = conf.thread_cache_control(personal=personal)
    patch_vary_headers(response, ("Parvis-Own-Tokens",))
    return response


After = Annotated[int, Query(ge=0, le=MAX_ID, description="The newest comment id the reader already has.")]
Decided = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_ID,
        description="The `decided` of the thread page (then of the last update): also report what the moderation "
        "decided since — comments published late, comments taken down.",
    ),
]


@router.get("/sites/{site}/thread/updates", response={200: UpdatesOut, **ERRORS}, summary="New comments")
def thread_updates(
    request: HttpRequest,
    site: SiteSlug,
    key: ThreadKey = None,
    url: ThreadUrl = None,
    after: After = 0,
    decided: Decided = None,
) -> dict[str, Any]:
    """Published comments newer than `after`, flat and oldest first (at most 100): what live updates
    insert, and what the widget polls when Server-Sent Events are not available. With `decided`, also the
    comments the moderation published since (older than `after`) and the ids of those it took down (`removed`),
    with the next `decided` cursor."""
    thread = Thread.objects.filter(site=_site(site), key=thread_key(key, url)).first()
    comments = published_after(thread, after) if thread else []
    answer: dict[str, Any] = {
        "count": thread.comment_count if thread else 0,
        "latest": comments[-1].pk if comments else after,
        "comments": [serialize.comment(comment) for comment in comments],
        "removed": [],
    }
    if decided is None or thread is None:
        answer["decided"] = max(decided or 0, newest_decision())
        return answer
    changes = decided_after(thread, after, decided)
    answer["comments"] = [serialize.comment(comment) for comment in changes.published] + answer["comments"]
    answer["removed"] = changes.removed
    answer["decided"] = changes.decided
    return answer


@router.get("/sites/{site}/thread/events", response={200: None, **ERRORS}, summary="Live updates (SSE)")
async def thread_events(
    request: HttpRequest,
    site: SiteSlug,
    key: ThreadKey = None,
    url: ThreadUrl = None,
    after: After = 0,
    decided: Decided = None,
) -> StreamingHttpResponse:
    """A `text/event-stream`: an event `comments` with `{"count", "latest"}` whenever comments newer than
    `after` are published — and, given `decided`, with `{"count", "latest", "decided"}` whenever the moderation
    decides on a comment of the thread after it; a comment line every 15 s keeps proxies from closing it."""
    current = await sync_to_async(_site)(site)
    wanted = thread_key(key, url)
    if getattr(request, "scope", {}).get(live_door.SCOPE_FLAG):
        # The door in front writes the stream itself once these headers are sent (parvis.api.live_door).
        response = StreamingHttpResponse(_nothing(), content_type="text/event-stream; charset=utf-8")
        response[live_door.HEADER.decode()] = live_door.marker(current.pk, wanted, after, decided)
    else:
        response = StreamingHttpResponse(
            live.stream(current.pk, wanted, after, decided), content_type="text/event-stream; charset=utf-8"
        )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response


async def _nothing() -> AsyncIterator[str]:
    return
    yield


@router.post("/sites/{site}/preview", response={200: PreviewOut, **ERRORS}, summary="Preview a comment")
def preview(request: HttpRequest, site: SiteSlug, payload: PreviewIn) -> dict[str, str]:
    """The HTML a comment would be published as: the same rendering and sanitizing as posting."""
    current = _site(site)
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", fingerprint(request).ip_hash)
    return {"html": rendering.render(validation.comment_body(current, payload.body))}


@router.post("/sites/{site}/counts", response={200: CountsOut, **ERRORS}, summary="Comment counts")
def counts(request: HttpRequest, site: SiteSlug, payload: CountsIn) -> dict[str, Any]:
    """Published comment counts for up to 100 thread keys or article URLs (listing pages)."""
    current = _site(site)
    if len(payload.keys) > MAX_COUNT_KEYS:
        raise ProblemError(
            Code.TOO_MANY_KEYS, f"{len(payload.keys)} keys asked; at most {MAX_COUNT_KEYS}.", field="keys"
        )
    wanted: dict[str, str] = {}
    for given in payload.keys:
        try:
            wanted[given] = thread_key(given, None)
        except ProblemError as error:
            raise ProblemError(error.code, f"Key {given[:100]!r}: {error.detail}", field="keys") from error
    found = dict(Thread.objects.filter(site=current, key__in=set(wanted.values())).values_list("key", "comment_count"))
    return {"counts": {given: found.get(key, 0) for given, key in wanted.items()}}


@router.post("/sites/{site}/comments", response={201: CreatedComment, **ERRORS}, summary="Post a comment")
def create_comment(
    request: HttpRequest,
    response: HttpResponse,
    site: SiteSlug,
    payload: CommentCreate,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    ] = None,
    authorization: Authorization = None,
) -> Status[dict[str, Any]]:
    """Post a comment or a reply, as a guest or, with a reader session in `Authorization: Bearer`, under the
    reader's profile (the `author` fields are then ignored). A 201 means it is stored. The `edit_token` is
    returned only here: keep it to edit or delete the comment within the site's edit window. A retry with the same
    `Idempotency-Key` returns this same answer instead of posting twice."""
    current = _site(site)
    reader = sessions.reader(current, authorization)
    draft = Draft(
        thread_key=payload.thread.key,
        thread_url=payload.thread.url,
        thread_title=payload.thread.title,
        parent_id=payload.parent,
        body=payload.body,
        author_name=payload.author.name,
        author_email=payload.author.email,
        author_website=payload.author.website,
        anchor=payload.anchor.model_dump() if payload.anchor else {},
        honeypot=payload.honeypot,
        seconds_to_submit=payload.seconds_to_submit,
        verify_email=payload.verify_email,
    )
    posted = post_comment(current, draft, fingerprint(request), reader=reader, idempotency_key=idempotency_key)
    if posted.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201,
        {
            "comment": serialize.comment(
                posted.comment, own=True, moderation=outcomes([posted.comment]).get(posted.comment.pk)
            ),
            "edit_token": posted.edit_token,
            "edit_until": edit_deadline(posted.comment),
            "confirmation": serialize.email_request(posted.confirmation) if posted.confirmation else None,
        },
    )


EditToken = Annotated[str, Header(alias="Parvis-Edit-Token", max_length=200)]


@router.patch("/sites/{site}/comments/{comment_id}", response={200: CommentOut, **ERRORS}, summary="Edit your comment")
def edit_comment(
    request: HttpRequest, site: SiteSlug, comment_id: CommentId, payload: CommentEdit, token: EditToken
) -> dict[str, Any]:
    edited = own.edit_comment(_site(site), comment_id, token, payload.body, fingerprint(request))
    return serialize.comment(edited, own=True, moderation=outcomes([edited]).get(edited.pk))


@router.delete("/sites/{site}/comments/{comment_id}", response={204: None, **ERRORS}, summary="Delete your comment")
def delete_comment(request: HttpRequest, site: SiteSlug, comment_id: CommentId, token: EditToken) -> Status[None]:
    own.delete_comment(_site(site), comment_id, token, fingerprint(request))
    return Status(204, None)


@router.post(
    "/sites/{site}/comments/{comment_id}/appeal", response={201: AppealOut, **ERRORS}, summary="Ask for a review"
)
def appeal(
    request: HttpRequest, site: SiteSlug, comment_id: CommentId, payload: AppealIn, token: EditToken
) -> Status[dict[str, bool]]:
    """The author of a held or removed comment asks a moderator to look again (once per comment)."""
    current = _site(site)
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", fingerprint(request).ip_hash)
    moderation_actions.appeal(current, comment_id, token, clean_fragment(payload.message, "message"))
    return Status(201, {"received": True})


@router.post("/sites/{site}/comments/{comment_id}/votes", response={200: VoteOut, **ERRORS}, summary="Vote")
def vote(request: HttpRequest, site: SiteSlug, comment_id: CommentId, payload: VoteIn) -> dict[str, Any]:
    """+1, -1, or 0 to withdraw. One vote per reader per comment; voting the same way twice is refused."""
    comment, value = react.vote(_site(site), comment_id, payload.value, fingerprint(request))
    return {"upvotes": comment.upvotes, "downvotes": comment.downvotes, "score": comment.score, "your_vote": value}


@router.post("/sites/{site}/comments/{comment_id}/flags", response={201: FlagOut, **ERRORS}, summary="Report a comment")
def flag(request: HttpRequest, site: SiteSlug, comment_id: CommentId, payload: FlagIn) -> Status[dict[str, bool]]:
    react.flag(_site(site), comment_id, payload.reason, payload.note, fingerprint(request))
    return Status(201, {"received": True})


@router.get("/errors", summary="The error codes this API answers with")
def errors(request: HttpRequest) -> list[dict[str, Any]]:
    return catalogue()
