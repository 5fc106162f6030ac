"""Export from the admin: an action on sites (everything of one site) and on threads (the selected ones),
streamed to the browser as it is read, so a large site never has to fit in memory or in a request timeout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Site
from parvis.importers.export import export
from parvis.importers.models import ImportedComment, ImportedThread
from parvis.threads.models import Thread

_TYPES = {"json": ("application/json", "json"), "wxr": ("application/rss+xml", "xml")}


def _download(site: Site, format: str, thread_ids: list[int] | None) -> StreamingHttpResponse:
    content_type, extension = _TYPES[format]
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in export(site, format, thread_ids)),
        content_type=f"{content_type}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="parvis-{site.slug}.{extension}"'
    return response


def export_sites(format: str, label: Any) -> Callable[..., Any]:
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Site]) -> Any:
        sites = list(queryset[:2])
        if len(sites) != 1:
            modeladmin.message_user(request, _("Select exactly one site to export."), messages.ERROR)
            return None
        return _download(sites[0], format, None)

    run.__name__ = f"export_site_{format}"
    return admin.action(description=label)(run)


def export_threads(format: str, label: Any) -> Callable[..., Any]:
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Thread]) -> Any:
        site_ids = set(queryset.values_list("site_id", flat=True))
        if len(site_ids) != 1:
            modeladmin.message_user(request, _("Select threads of one site to export them."), messages.ERROR)
            return None
        site = Site.objects.get(pk=site_ids.pop())
        return _download(site, format, list(queryset.values_list("pk", flat=True)))

    run.__name__ = f"export_threads_{format}"
    return admin.action(description=label)(run)


SITE_ACTIONS = [export_sites("json", _("Export comments (Parvis JSON)")),
                export_sites("wxr", _("Export comments (WordPress WXR)"))]  # fmt: skip
THREAD_ACTIONS = [export_threads("json", _("Export the selected threads (Parvis JSON)")),
                  export_threads("wxr", _("Export the selected threads (WordPress WXR)"))]  # fmt: skip


@admin.register(ImportedThread)
class ImportedThreadAdmin(admin.ModelAdmin):
    list_display = ("source", "source_id", "thread", "site")
    list_filter = ("source", "site")
    search_fields = ("source_id",)
    raw_id_fields = ("thread",)


@admin.register(ImportedComment)
class ImportedCommentAdmin(admin.ModelAdmin):
    list_display = ("source", "source_id", "comment", "site")
    list_filter = ("source", "site")
    search_fields = ("source_id",)
    raw_id_fields = ("comment",)
