"""The JSON API, versioned under /api/v1/, documented at /api/docs. All errors leave as problem+json."""

from __future__ import annotations

from ninja import NinjaAPI

from parvis.api.errors import install_problem_handlers
from parvis.api.parsing import StrictJsonParser
from parvis.api.rendering import CompactJSONRenderer
from parvis.api.routers import email_sign_in, identity, privacy, public, subscriptions

api = NinjaAPI(
    title="Parvis API",
    version="1",
    description=(
        "Reader comments for news sites. Errors are RFC 9457 application/problem+json with a stable `code`; "
        "the list is at /api/v1/errors."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    parser=StrictJsonParser(),
    renderer=CompactJSONRenderer(),
)
api.add_router("/", public.router)
api.add_router("/", subscriptions.router)
api.add_router("/", privacy.router)
api.add_router("/", identity.router)
api.add_router("/", email_sign_in.router)


install_problem_handlers(api)
