"""Pages reached from emails: confirm a subscription, one-click unsubscribe, manage an address's subscriptions,
the Atom feeds, and (development only) the captured mailbox.

The token in the address is the authority: no session, no account. A forged, foreign or expired token gets a
page saying so (400) and changes nothing. Confirmation needs a click on a button (a POST), because mail
scanners open links; the one-click unsubscribe answers the RFC 8058 POST a mail client sends without a CSRF
token, so that view alone is CSRF-exempt (its signed token is what protects it).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from parvis.core.models import Site
from parvis.core.page_language import TRANSLATED, page_language
from parvis.notifications import actions, tokens


def _invalid(request: HttpRequest, reason: str) -> HttpResponse:
    with translation.override(page_language(request)):
        return render(request, "notifications/invalid.html", {"reason": reason}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = tokens.read_confirm(token)
    except tokens.TokenError as error:
        return _invalid(request, str(error))
    site = Site.objects.filter(pk=claim.site_id).first()
    language = page_language(request, site)
    if request.method != "POST":
        with translation.override(language):
            return render(request, "notifications/confirm.html", {"site": site, "done": False})
    try:
        subscription = actions.confirm(token)
    except tokens.TokenError as error:
        return _invalid(request, str(error))
    manage = tokens.manage_token(subscription.site_id, subscription.address_key)
    with translation.override(subscription.language if subscription.language in TRANSLATED else language):
        return render(
            request,
            "notifications/confirm.html",
            {"site": subscription.site, "subscription": subscription, "done": True, "manage_token": manage},
        )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or a mail client's List-Unsubscribe=One-Click) removes."""
    try:
        claim = tokens.read_unsubscribe(token)
    except tokens.TokenError as error:
        return _invalid(request, str(error))
    site = Site.objects.filter(pk=claim.site_id).first()
    if request.method != "POST":
        with translation.override(page_language(request, site)):
            return render(request, "notifications/unsubscribe.html", {"site": site, "done": False})
    try:
        site = actions.unsubscribe(token)
    except tokens.TokenError as error:
        return _invalid(request, str(error))
    manage = tokens.manage_token(site.pk, claim.address_key)
    with translation.override(page_language(request, site)):
        return render(request, "notifications/unsubscribe.html", {"site": site, "done": True, "manage_token": manage})


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            raw = str(request.POST.get("subscription", ""))
            if not raw.isdigit() or len(raw) > 18:
                return _invalid(request, "invalid")
            current = actions.remove(token, int(raw))
        else:
            current = actions.managed(token)
    except tokens.TokenError as error:
        return _invalid(request, str(error))
    with translation.override(page_language(request, current.site)):
        return render(
            request,
            "notifications/manage.html",
            {"site": current.site, "subscriptions": current.subscriptions, "token": token},
        )


# What a captured email's HTML may use when shown: its inline styles and inline images, nothing else. The
# ``sandbox`` directive (no allow-scripts, no same-origin) makes it an opaque origin where no script runs, even
# opened on its own outside the page's sandboxed iframe.
MAIL_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@require_http_methods(["GET", "HEAD"])
def mailbox(request: HttpRequest) -> HttpResponse:
    """The emails `parvis mailcapture` received (development: only when PARVIS_EMAIL_CAPTURE_DIR is set).

    Anything on the machine can send to the capture server, so an email's HTML is never part of this page: it
    is shown in a sandboxed iframe from ``mailbox_html``."""
    from parvis.notifications import capture

    folder = capture.folder()
    if folder is None:
        raise Http404
    wanted = request.GET.get("id", "")
    messages = capture.read_all(folder)
    shown = next((item for item in messages if item.name == wanted), messages[0] if messages else None)
    return render(request, "notifications/mailbox.html", {"messages": messages, "shown": shown})


@require_http_methods(["GET", "HEAD"])
def mailbox_html(request: HttpRequest, name: str) -> HttpResponse:
    """The HTML part of one captured email, for the mailbox page's sandboxed iframe."""
    from parvis.notifications import capture

    folder = capture.folder()
    found = capture.read_one(folder, name) if folder is not None else None
    if found is None:
        raise Http404
    response = HttpResponse(found.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MAIL_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
