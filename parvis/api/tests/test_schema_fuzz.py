"""Schemathesis fuzzes every operation of the published OpenAPI schema against the real application.

Requests go in-process through Parvis's WSGI entry point, so every middleware (security headers, CORS, the
API guard) runs as in production. Each operation's test starts from a database holding the site "news" and
a thread with comments. Hooks steer part of the fuzzed requests to that site, those comments and their
authors' edit tokens, so the fuzzer reaches the actions (post, edit, delete, vote, report) and not only
the "site not found" answer.

Two checks, on every response: no 5xx, and every 4xx is application/problem+json with a `code`.

The run is bounded and deterministic: schemathesis's coverage cases (boundary values, missing or mistyped
fields, unexpected methods) plus 25 fuzzed cases per operation, a fixed seed, no shrinking, no example
database on disk.

The schema is loaded when this module is imported (serving it needs no database) rather than through
``schemathesis.pytest.from_fixture``: that loader sets ``Node._nodeid``, which pytest 9.2 no longer has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from parvis.wsgi import application

SITE = "news"
THREAD_KEY = "article-1"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# What parvis.core.text.refuse_forbidden refuses: C0 controls but tab and line ends, DEL, C1 controls.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20250101,
        "generation": {"max-examples": 25, "deterministic": True, "no-shrink": True, "database": "none"},
    }
)


@dataclass
class Seeded:
    """The comments the current test's database holds: filled by the `seeded` fixture before each test."""

    ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


SEEDED = Seeded()
SEEDED_COMMENTS = 4

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


def _steered(value: Any, steer: Callable[[Any, int], Any]) -> st.SearchStrategy[Any]:
    """Either the fuzzer's own value or that value steered towards the seeded data; `steer` gets the value and
    the index of a seeded comment. Ids and tokens are looked up when a case is drawn (inside the test), not when
    strategies are built (at collection). The steered branch comes first because Hypothesis favours it."""
    return st.one_of(st.integers(0, SEEDED_COMMENTS - 1).map(lambda index: steer(value, index)), st.just(value))


def _operation_path(context: schemathesis.HookContext) -> str:
    return context.operation.path if context.operation is not None else ""


@schema.hook("flatmap_path_parameters")
def _known_site_and_comments(context: schemathesis.HookContext, parameters: Any) -> st.SearchStrategy[Any]:
    def steer(parameters: Any, index: int) -> Any:
        if not isinstance(parameters, dict):
            return parameters
        steered = dict(parameters)
        if "site" in steered:
            steered["site"] = SITE
        if "comment_id" in steered:
            steered["comment_id"] = SEEDED.ids[index]
        return steered

    return _steered(parameters, steer)


@schema.hook("flatmap_query")
def _known_thread(context: schemathesis.HookContext, query: Any) -> st.SearchStrategy[Any]:
    if not _operation_path(context).endswith("/thread") or not isinstance(query, dict):
        return st.just(query)
    return _steered(query, lambda query, index: {**query, "key": THREAD_KEY})


@schema.hook("flatmap_headers")
def _real_edit_tokens(context: schemathesis.HookContext, headers: Any) -> st.SearchStrategy[Any]:
    if not isinstance(headers, dict) or "Parvis-Edit-Token" not in headers:
        return st.just(headers)
    return _steered(headers, lambda headers, index: {**headers, "Parvis-Edit-Token": SEEDED.tokens[index]})


@schema.hook("flatmap_body")
def _postable_comments(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """A signed comment on the seeded thread, every other one a reply: only its text stays as fuzzed, minus
    the control characters the API refuses before anything else (that refusal is fuzzed unsteered)."""
    if not _operation_path(context).endswith("/comments") or not isinstance(body, dict):
        return st.just(body)

    def steer(body: dict[str, Any], index: int) -> dict[str, Any]:
        text = body.get("body")
        return {
            "thread": {"key": THREAD_KEY},
            "parent": SEEDED.ids[index] if index % 2 else None,
            "author": {"name": f"Lecteur {index}"},
            "body": _FORBIDDEN.sub("", text) if isinstance(text, str) else text,
        }

    return _steered(body, steer)


def client_errors_are_problem_details(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A 4xx is an RFC 9457 problem carrying the stable `code` the widget translates."""
    if not 400 <= response.status_code < 500:
        return
    content_types = response.headers.get("content-type", [])
    media_type = content_types[0].split(";")[0].strip().lower() if content_types else None
    assert media_type == PROBLEM_CONTENT_TYPE, (
        f"{response.status_code} answered with Content-Type {content_types!r}, not {PROBLEM_CONTENT_TYPE}"
    )
    body = json.loads(response.content)
    assert isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"], (
        f"{response.status_code} problem without a `code`: {response.content[:300]!r}"
    )


@pytest.fixture
def seeded(api: Any) -> Seeded:
    """Three comments and a reply on "news", posted the way the widget posts them."""
    first = api.post_comment("Premier commentaire.", key=THREAD_KEY, name="Lecteur 1")
    posted = [
        first,
        api.post_comment("Deuxième commentaire.", key=THREAD_KEY, name="Lecteur 2"),
        api.post_comment("Troisième commentaire.", key=THREAD_KEY, name="Lecteur 3"),
        api.post_comment("Une réponse.", key=THREAD_KEY, name="Lecteur 4", parent=first.json()["comment"]["id"]),
    ]
    assert [response.status_code for response in posted] == [201] * SEEDED_COMMENTS
    SEEDED.ids = [response.json()["comment"]["id"] for response in posted]
    SEEDED.tokens = [response.json()["edit_token"] for response in posted]
    return SEEDED


# Transactional: after each request the WSGI handler's request_finished signal closes the database connection
# (close_old_connections), which inside the rolled-back transaction of plain `django_db` leaves every later
# query on a closed database. The seeded data is shared by all cases of one operation on purpose: a comment
# deleted by one case is gone for the next, as it would be for real readers.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_generated_request_gets_a_server_error_and_every_refusal_is_a_problem(
    case: schemathesis.Case, seeded: Seeded
) -> None:
    case.call_and_validate(checks=[not_a_server_error, client_errors_are_problem_details])
