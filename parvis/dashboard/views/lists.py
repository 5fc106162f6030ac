"""/moderate/lists/: each site's block and allow lists — add an entry, remove one, and try a draft entry on the site's
last 1,000 comments before saving it (the test box, answered by htmx, saves nothing).

Like bans, lists are for owners and moderators only (a journalist gets 403): an entry tells what the filters key on.
The parsing is here; `parvis.moderation.lists` checks entries, writes them and audits.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from parvis.dashboard.permissions import require_role, sites_for, staff_view
from parvis.dashboard.views.bans import chosen_site, moderated_sites
from parvis.dashboard.views.items import reject_menu
from parvis.moderation import lists as site_lists
from parvis.moderation.models import Action, ListEntry, ListKind, ListMatch


def _context(request: HttpRequest, errors: dict[str, str]) -> dict[str, object]:
    sites = moderated_sites(request.user)
    slug = request.GET.get("site", "")[:50]
    chosen = chosen_site(request.user, slug) if slug else None
    entries = ListEntry.objects.filter(site__in=[chosen] if chosen else sites).select_related("site", "created_by")
    categories = sorted({reason.slug for site in sites for reason in reject_menu(site)} | {"spam"})
    return {
        "sites": sites,
        "chosen": chosen,
        "blocked": [
            entry for entry in entries.order_by("site__name", "match", "value") if entry.kind == ListKind.BLOCK
        ],
        "allowed": [
            entry for entry in entries.order_by("site__name", "match", "value") if entry.kind == ListKind.ALLOW
        ],
        "kinds": ListKind.choices,
        "matches": ListMatch.choices,
        "actions": [(Action.HOLD.value, Action.HOLD.label), (Action.REJECT.value, Action.REJECT.label)],
        "categories": categories,
        "errors": errors,
        "form": request.POST if errors else {},
    }


@require_http_methods(["GET", "POST"])
@staff_view
def lists(request: HttpRequest) -> HttpResponse:
    """The lists; a POST adds an entry (400 with the reason when it cannot be saved)."""
    moderated_sites(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        site = chosen_site(request.user, str(request.POST.get("site", "")))
        try:
            site_lists.add_entry(request.user, site, site_lists.clean(site, request.POST))
        except site_lists.ListError as error:
            errors[error.field] = error.message
        else:
            return HttpResponseRedirect(f"{reverse('dashboard:lists')}?site={site.slug}", status=303)
    return render(request, "dashboard/lists.html", _context(request, errors), status=400 if errors else 200)


@require_POST
@staff_view
def remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    if not 0 < entry_id < 2**63:
        raise Http404
    entry = ListEntry.objects.select_related("site").filter(pk=entry_id, site__in=sites_for(request.user)).first()
    if entry is None:
        raise Http404
    require_role(request.user, entry.site)
    site_lists.remove_entry(request.user, entry)
    return HttpResponseRedirect(f"{reverse('dashboard:lists')}?site={entry.site.slug}", status=303)


@require_POST
@staff_view
def preview(request: HttpRequest) -> HttpResponse:
    """The test box: what the draft entry would catch on the site's last 1,000 comments. Saves nothing."""
    moderated_sites(request.user)
    site = chosen_site(request.user, str(request.POST.get("site", "")))
    try:
        draft = site_lists.clean(site, request.POST)
    except site_lists.ListError as error:
        return render(request, "dashboard/_list_preview.html", {"error": error.message}, status=400)
    found = site_lists.preview(site, draft)
    return render(request, "dashboard/_list_preview.html", {"preview": found, "draft": draft, "site": site})
