"""Schemathesis fuzzes every operation of the published OpenAPI schema against the real application.

Requests go in-process through Parvis's WSGI entry point, so every middleware (security headers, CORS, the
API guard) runs as in production. Each operation's test starts from a database holding the site "news" and
a thread with comments; about half of the generated requests are steered to that site, those comments and
their authors' edit tokens, so the fuzzer reaches the actions and not only the "site not found" answer.

The run is bounded and deterministic: at most 25 generated cases per operation and generation mode, a
fixed seed, no shrinking, no example database on disk.

The schema is loaded when this module is imported (serving it needs no database) rather than through
``schemathesis.pytest.from_fixture``: that loader sets ``Node._nodeid``, which pytest 9.2 no longer has.
"""

from __future__ import annotations

import json
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


# Each hook keeps the fuzzer's own value half of the time. Comment ids and tokens are looked up when a case
# is drawn (inside the test), not when the strategy is built (at collection).
@schema.hook("before_generate_path_parameters")
def _known_site_and_comments(context: Any, strategy: Any) -> Any:
    def steer(parameters: Any, index: int) -> Any:
        if not isinstance(parameters, dict):
            return parameters
        steered = dict(parameters)
        if "site" in steered:
            steered["site"] = SITE
        if "comment_id" in steered:
            steered["comment_id"] = SEEDED.ids[index]
        return steered

    picks = st.integers(0, SEEDED_COMMENTS - 1)
    return st.one_of(strategy, st.tuples(strategy, picks).map(lambda pair: steer(*pair)))


@schema.hook("before_generate_query")
def _known_thread(context: Any, strategy: Any) -> Any:
    def steer(query: Any) -> Any:
        return {**query, "key": THREAD_KEY} if isinstance(query, dict) and "key" in query else query

    return st.one_of(strategy, strategy.map(steer))


@schema.hook("before_generate_headers")
def _real_edit_tokens(context: Any, strategy: Any) -> Any:
    def steer(headers: Any, index: int) -> Any:
        if isinstance(headers, dict) and "Parvis-Edit-Token" in headers:
            return {**headers, "Parvis-Edit-Token": SEEDED.tokens[index]}
        return headers

    picks = st.integers(0, SEEDED_COMMENTS - 1)
    return st.one_of(strategy, st.tuples(strategy, picks).map(lambda pair: steer(*pair)))


def client_errors_are_problem_details(ctx: Any, response: Any, case: Any) -> None:
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


# Transactional: the WSGI handler closes the database connection after each request (request_finished),
# which would break the rolled-back transaction that plain `django_db` wraps a test in. The seeded data is
# shared by all cases of one operation on purpose: a comment deleted by one case is gone for the next.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_generated_request_gets_a_server_error_and_every_refusal_is_a_problem(case: Any, seeded: Seeded) -> None:
    case.call_and_validate(checks=[not_a_server_error, client_errors_are_problem_details])
