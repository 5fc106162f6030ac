"""Security headers on every response.

The default Content-Security-Policy allows only Parvis's own scripts and styles (no 'unsafe-inline'),
and no framing. Pages meant to be embedded by a publisher set ``response.frame_ancestors`` to the
site's origins; JSON answers get a policy that allows nothing at all. A 304 gets no policy: the browser merges a 304's headers
into the response it has stored, so a policy there would replace the page's own (a revalidated frame page would
lose its frame-ancestors and stop loading in the publisher's page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.status_code == 304:
            return response
        if "Content-Security-Policy" not in response:
            content_type = response.get("Content-Type", "")
            if content_type.startswith("text/html"):
                ancestors = getattr(response, "frame_ancestors", None)
                response["Content-Security-Policy"] = PAGE_POLICY.format(
                    ancestors=" ".join(["'self'", *ancestors]) if ancestors else "'none'"
                )
                if not ancestors:
                    response.setdefault("X-Frame-Options", "DENY")
            elif not request.path.startswith("/static/"):
                response["Content-Security-Policy"] = DATA_POLICY
        return response
