"""Atom feeds of recently published comments: one per site, one per thread. Only approved comments.

A feed reader is a program, so a feed that does not exist answers like the API does: RFC 9457 problem+json
with a stable code (``site_not_found``, ``thread_not_found``, or the thread key's own refusal).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from parvis import conf
from parvis.api.errors import problem_response
from parvis.comments.models import Comment, Status
from parvis.core.exceptions import Code, ProblemError
from parvis.core.sites import site_by_slug
from parvis.notifications.compose import comment_link
from parvis.threads.keys import thread_key
from parvis.threads.models import Thread

FEED_SIZE = 50


def _feed(title: str, link: str, site_language: str, comments: list[Comment], feed_url: str) -> HttpResponse:
    feed = Atom1Feed(title=title, link=link, description="", language=site_language, feed_url=feed_url)
    for comment in comments:
        feed.add_item(
            title=_("%(name)s on “%(title)s”")
            % {"name": comment.author_name or _("A reader"), "title": comment.thread.title or comment.thread.key},
            link=comment_link(comment),
            description=comment.body_html,
            author_name=comment.author_name or _("A reader"),
            pubdate=comment.created_at,
            updateddate=comment.edited_at or comment.created_at,
            unique_id=f"{conf.public_url()}/comments/{comment.pk}",
            content=None,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _recent(**filters: object) -> list[Comment]:
    return list(
        Comment.objects.filter(status=Status.APPROVED, **filters)
        .select_related("thread", "thread__site")
        .order_by("-created_at", "-pk")[:FEED_SIZE]
    )


def site_feed(request: HttpRequest, site: str) -> HttpResponse:
    current = site_by_slug(site)
    if current is None:
        return problem_response(ProblemError(Code.SITE_NOT_FOUND), request)
    return _feed(current.name, conf.public_url(), current.default_language, _recent(thread__site=current),
                 conf.public_url() + request.path)  # fmt: skip


def thread_feed(request: HttpRequest, site: str) -> HttpResponse:
    current = site_by_slug(site)
    if current is None:
        return problem_response(ProblemError(Code.SITE_NOT_FOUND), request)
    try:
        key = thread_key(request.GET.get("key") or None, request.GET.get("url") or None)
    except ProblemError as error:
        return problem_response(error, request)
    thread = Thread.objects.filter(site=current, key=key).first()
    if thread is None:
        return problem_response(ProblemError(Code.THREAD_NOT_FOUND), request)
    title = f"{current.name} — {thread.title or thread.key}"
    own_url = conf.public_url() + request.get_full_path()
    return _feed(title, thread.url or conf.public_url(), current.default_language, _recent(thread=thread), own_url)
