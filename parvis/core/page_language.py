"""The language of Parvis's own pages and emails: one of the four it is translated into.

A reader's choice travels as ``?lang=`` on links (emails carry it) or as a form field; otherwise the language the
request was made in (``fallback``, e.g. stored with a subscription), then the site's language, then English.
"""

from __future__ import annotations

from django.http import HttpRequest

from parvis.core.models import Site

TRANSLATED = ("fr", "en", "he", "ar")


def page_language(request: HttpRequest, site: Site | None = None, fallback: str = "") -> str:
    for wanted in (str(request.GET.get("lang", "")), str(request.POST.get("lang", "")), fallback):
        if wanted in TRANSLATED:
            return wanted
    return site.default_language if site is not None and site.default_language in TRANSLATED else "en"
