"""Server-rendered pages: the thread fallback (/t/<site>/), the demo article, error pages.

The fallback works without JavaScript (readers who disable it, search engines) and posts through the
same action as the API. It uses Django's CSRF token because, unlike the API, it accepts form posts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parvis import conf
from parvis.api.errors import problem
from parvis.comments.actions.post import Draft, post_comment
from parvis.comments.models import Status
from parvis.comments.reading import MAX_PAGE, Sort, read_page
from parvis.core.clients import fingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import CommentRule, Site
from parvis.core.sites import site_by_slug
from parvis.identity import rules
from parvis.identity.models import sign_in_settings
from parvis.moderation.transparency import report as transparency_report
from parvis.threads.keys import thread_key
from parvis.threads.models import Thread
from parvis.web import demo, newsroom

HONEYPOT_FIELD = "homepage"


def _thread_context(request: HttpRequest, site: Site, key: str | None, url: str | None, title: str) -> dict[str, Any]:
    wanted = thread_key(key, url)
    thread = Thread.objects.filter(site=site, key=wanted).first()
    sort_name = request.GET.get("sort", Sort.OLDEST)
    sort = Sort(sort_name) if sort_name in Sort._value2member_map_ else Sort.OLDEST
    page = read_page(thread, sort, MAX_PAGE, request.GET.get("cursor") or None) if thread else None
    reply_to = request.GET.get("reply", "")
    rule = rules.rule_of(site, thread)
    return {
        "site": site,
        "thread": thread,
        # This page has no sign-in (it works without JavaScript, for guests): where guests may not comment, it
        # says so instead of showing a form the post would refuse.
        "members_only": _MEMBERS_ONLY.get(rule),
        "thread_key": key or "",
        "thread_url": url or "",
        "thread_title": title,
        "nodes": page.nodes if page else [],
        "next_cursor": page.next_cursor if page else None,
        "count": thread.comment_count if thread else 0,
        "sort": sort.value,
        "sorts": [item.value for item in Sort],
        "reply_to": int(reply_to) if reply_to.isdigit() and len(reply_to) < 19 else None,
        "posted": request.GET.get("posted", ""),
        "action": reverse("thread-page", args=[site.slug]),
        "honeypot": HONEYPOT_FIELD,
    }


_MEMBERS_ONLY: dict[str, Any] = {
    CommentRule.SIGNED_IN: _("Comments here are open to signed-in readers: sign in from the article's page."),
    CommentRule.SUBSCRIBERS: _("Comments here are open to subscribers: sign in from the article's page."),
    CommentRule.STAFF: _("Only the newsroom comments here."),
}


def _page_query(key: str, url: str, title: str, **extra: str) -> str:
    params = {name: value for name, value in {"key": key, "url": url, "title": title, **extra}.items() if value}
    return urlencode(params)


@require_http_methods(["GET", "HEAD", "POST"])
def thread_page(request: HttpRequest, site: str) -> HttpResponse:
    current = site_by_slug(site)
    if current is None:
        return not_found(request, None)
    source = request.POST if request.method == "POST" else request.GET
    key, url, title = (str(source.get(name, ""))[:2048] for name in ("key", "url", "title"))
    with translation.override(current.default_language):
        if request.method == "POST":
            return _post_from_form(request, current, key, url, title)
        try:
            context = _thread_context(request, current, key, url, title)
        except ProblemError as error:
            return error_page(request, error)
        response = render(request, "parvis/thread_page.html", context)
    response.frame_ancestors = current.allowed_origins  # type: ignore[attr-defined]
    return response


def _post_from_form(request: HttpRequest, site: Site, key: str, url: str, title: str) -> HttpResponse:
    if request.POST.get(HONEYPOT_FIELD):
        # Filled in by a bot that fills every field; a person never sees it. Answer as if accepted.
        return HttpResponseRedirect(f"{reverse('thread-page', args=[site.slug])}?{_page_query(key, url, title)}")
    parent = request.POST.get("parent", "")
    draft = Draft(
        thread_key=key or None,
        thread_url=url or None,
        thread_title=title,
        parent_id=int(parent) if parent.isdigit() and len(parent) < 19 else None,
        body=request.POST.get("body", ""),
        author_name=request.POST.get("name", ""),
        author_email=request.POST.get("email", ""),
        author_website=request.POST.get("website", ""),
    )
    try:
        posted = post_comment(site, draft, fingerprint(request))
    except ProblemError as error:
        try:
            context = _thread_context(request, site, key, url, title)
        except ProblemError:
            return error_page(request, error)
        context.update(error=error, form=request.POST, reply_to=draft.parent_id)
        response = render(request, "parvis/thread_page.html", context, status=error.status)
        response.frame_ancestors = site.allowed_origins  # type: ignore[attr-defined]
        return response
    comment = posted.comment
    state = "pending" if comment.status == Status.PENDING else "published"
    back = request.POST.get("next", "")
    if back and back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        target = f"{back.split('?')[0].split('#')[0]}?posted={state}"
    else:
        target = f"{reverse('thread-page', args=[site.slug])}?{_page_query(key, url, title, posted=state)}"
    # 303: the browser follows with a GET, so reloading the page never re-posts the comment.
    response = HttpResponseRedirect(f"{target}#comment-{comment.pk}")
    response.status_code = 303
    return response


@never_cache
def demo_article(request: HttpRequest) -> HttpResponse:
    """The demo article of `make demo`: a French news page with its comments under it."""
    return _demo_page(request, demo.THREAD_KEY, demo.THREAD_TITLE, "/", "demo-article")


@never_cache
def demo_subscribers(request: HttpRequest) -> HttpResponse:
    """The demo's subscribers-only article: readers the newsroom signs in as subscribers may comment."""
    return _demo_page(request, demo.SUBSCRIBERS_KEY, demo.SUBSCRIBERS_TITLE, demo.SUBSCRIBERS_PATH, "demo-subscribers")


def _demo_page(request: HttpRequest, key: str, title: str, path: str, name: str) -> HttpResponse:
    """A demo newsroom page. When a newsroom reader is signed in (its cookie), the embed gets a token minted for
    this page view (never cached: each view has its own, spent once)."""
    site = site_by_slug(demo.SITE_SLUG)
    if site is None:
        return HttpResponse(
            "No demo site yet: run `parvis demo` (or `make demo`).",
            content_type="text/plain; charset=utf-8",
            status=404,
        )
    reader = newsroom.signed_in_reader(request)
    with translation.override(site.default_language):
        context = _thread_context(request, site, key, f"{conf.public_url()}{path}", title)
        context.update(
            next=reverse(name),
            subscribers_only=key == demo.SUBSCRIBERS_KEY,
            newsroom_reader=reader[1] if reader else None,
            sso_token=newsroom.mint_token(site, reader[1]) if reader and sign_in_settings(site).sso_secret else "",
        )
        response = render(request, "parvis/demo_article.html", context)
    # A publisher's article like any other: the sign-in popups its comment app opens must keep their opener,
    # which Django's default (same-origin) would sever.
    response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def error_page(request: HttpRequest, error: ProblemError) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem(error.code, error.detail, request)
    return render(request, "parvis/error.html", {"error": error}, status=error.status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.core.exceptions import DisallowedHost

    code = Code.BAD_HOST if isinstance(exception, DisallowedHost) else Code.VALIDATION_FAILED
    if isinstance(exception, DisallowedHost) or request.path.startswith("/api/"):
        # Never render a template for a forged Host: nothing may echo it back.
        return problem(code, None, None)
    return error_page(request, ProblemError(code))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, ProblemError(Code.ORIGIN_NOT_ALLOWED))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, ProblemError(Code.NOT_FOUND))


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, ProblemError(Code.SERVER_ERROR))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, ProblemError(Code.CSRF_FAILED))


def transparency(request: HttpRequest, site: str) -> HttpResponse:
    """The site's public monthly transparency report (`?month=YYYY-MM`, by default the last complete month)."""
    current = site_by_slug(site)
    if current is None:
        return error_page(request, ProblemError(Code.SITE_NOT_FOUND))
    today = timezone.now().date()
    wanted = request.GET.get("month", "")
    try:
        month = date.fromisoformat(f"{wanted}-01") if wanted else (today.replace(day=1) - timedelta(days=1))
    except ValueError:
        return error_page(request, ProblemError(Code.VALIDATION_FAILED, "month must look like 2026-11.", field="month"))
    month = month.replace(day=1)
    figures = transparency_report(current, month)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "parvis/transparency.html",
        {
            "site": current,
            "report": figures,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m") if following <= today else None,
        },
    )


def profile(request: HttpRequest, site: str, commenter_id: int) -> HttpResponse:
    """A verified commenter's page: name, badge, and their published comments unless they keep them off it."""
    from parvis.api.routers.identity import profile_of

    current = site_by_slug(site)
    if current is None:
        return error_page(request, ProblemError(Code.SITE_NOT_FOUND))
    try:
        person = profile_of(current, commenter_id)
    except ProblemError as error:
        return error_page(request, error)
    return render(request, "parvis/profile.html", {"site": current, "person": person})
