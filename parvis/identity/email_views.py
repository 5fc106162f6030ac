"""The page an emailed link opens: one button that confirms it (a POST: mail scanners open every GET).

The token in the address is the only authority. The page speaks the language the link was asked in (or
``?lang=``), is never cached and sends no Referer, so the token does not leak to the sites it links to. After
the click the reader goes back to the article: the app that asked polls and gets its session, on this device or
another one; a held comment is released.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from parvis.core.exceptions import Code, ProblemError
from parvis.core.page_language import page_language
from parvis.core.sites import site_by_slug
from parvis.identity import email_links, email_mail
from parvis.identity.models import EmailLink


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, site: str, token: str) -> HttpResponse:
    """GET shows what the link does and its button; POST confirms."""
    current = site_by_slug(site)
    try:
        if current is None:
            raise ProblemError(Code.SITE_NOT_FOUND)
        link = email_links.confirm(current, token) if request.method == "POST" else email_links.opened(current, token)
    except ProblemError as error:
        with translation.override(page_language(request, current)):
            response = render(request, "identity/email_refused.html", {"error": error}, status=error.status)
        return _private(response)
    held = link.purpose == EmailLink.Purpose.CONFIRM_COMMENT and link.comment_id is not None
    context = {
        "site": current, "link": link, "done": link.confirmed_at is not None,
        "sign_in": link.purpose == EmailLink.Purpose.SIGN_IN, "comment": link.comment if held else None,
    }  # fmt: skip
    if held and link.comment is not None and not context["done"]:
        context["held"] = email_mail.held_for_email(link.comment)
    with translation.override(page_language(request, current, link.language)):
        return _private(render(request, "identity/email_link.html", context))
