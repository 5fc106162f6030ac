"""The Akismet- and Perspective-compatible connectors, against fake services on loopback speaking their documented
protocols: what they are sent, how their answers become findings, and that a slow or failing service leaves the
local engine deciding alone."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.moderation import connectors
from parvis.moderation.categories import Category
from parvis.threads.models import Thread


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(self.body.decode("utf-8")).items()}

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeService:
    """A loopback HTTP service: records each request and answers with what the test set."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    # Set: the service holds every request until the test ends (a service that never answers).
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)

    def answer_json(self, document: Any) -> None:
        self.body = json.dumps(document).encode()
        self.content_type = "application/json"


@contextmanager
def serving() -> Iterator[FakeService]:
    service = FakeService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            service.received.append(
                Received("POST", parts.path, parse_qs(parts.query), dict(self.headers.items()), self.rfile.read(length))
            )
            if service.hang:
                service.release.wait(10)
                return
            self.send_response(service.status)
            self.send_header("Content-Type", service.content_type)
            self.send_header("Content-Length", str(len(service.body)))
            for name, value in service.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(service.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield service
    finally:
        service.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeService]:
    with serving() as service:
        yield service


@pytest.fixture
def second_fake() -> Iterator[FakeService]:
    with serving() as service:
        yield service


@pytest.fixture
def akismet(fake: FakeService, settings: Any) -> FakeService:
    settings.PARVIS_AKISMET_KEY = "akismet-test-key"
    settings.PARVIS_AKISMET_URL = fake.url
    settings.PARVIS_PERSPECTIVE_KEY = ""
    settings.PARVIS_CONNECTOR_TIMEOUT = 1
    fake.body = b"false"
    return fake


@pytest.fixture
def perspective(fake: FakeService, settings: Any) -> FakeService:
    settings.PARVIS_PERSPECTIVE_KEY = "perspective-test-key"
    settings.PARVIS_PERSPECTIVE_URL = fake.url
    settings.PARVIS_AKISMET_KEY = ""
    settings.PARVIS_CONNECTOR_TIMEOUT = 1
    fake.answer_json({"attributeScores": {}, "languages": ["en"]})
    return fake


def _scores(**values: float) -> dict[str, Any]:
    return {
        "attributeScores": {
            name: {"summaryScore": {"value": value, "type": "PROBABILITY"}} for name, value in values.items()
        },
        "languages": ["en"],
        "detectedLanguages": ["en"],
    }


@pytest.fixture
def comment(site: Site) -> Comment:
    thread = Thread.objects.create(site=site, key="article-1", url="https://news.example/article-1")
    commenter = Commenter.objects.create(site=site, name="Mallory", email="mallory@example.org")
    return Comment.objects.create(
        thread=thread,
        commenter=commenter,
        author_name="Mallory",
        author_website="https://cheap-pills.example",
        body_markdown="Buy cheap pills at cheap-pills.example",
        language="en",
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        ip_hash="0123456789abcdef",
    )


def test_connectors_are_off_by_default_and_call_nobody(site: Site, fake: FakeService, settings: Any) -> None:
    settings.PARVIS_AKISMET_URL = fake.url
    settings.PARVIS_PERSPECTIVE_URL = fake.url
    assert not connectors.enabled()
    assert connectors.findings("Buy cheap pills", site=site) == []
    assert fake.received == []


def test_akismet_comment_check_receives_the_documented_fields_and_never_an_ip(
    akismet: FakeService, site: Site, comment: Comment
) -> None:
    connectors.findings(comment.body_markdown, site=site, comment=comment, language="en")
    [request] = akismet.received
    assert request.path == "/1.1/comment-check"
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = request.form()
    assert form["api_key"] == "akismet-test-key"
    assert form["blog"] == "https://news.example"
    assert form["comment_content"] == "Buy cheap pills at cheap-pills.example"
    assert form["comment_type"] == "comment"
    assert form["comment_author"] == "Mallory"
    assert form["comment_author_email"] == "mallory@example.org"
    assert form["comment_author_url"] == "https://cheap-pills.example"
    assert form["permalink"] == "https://news.example/article-1"
    assert form["blog_lang"] == "en"
    assert form["blog_charset"] == "UTF-8"
    assert form["comment_date_gmt"].startswith("2026-03-01T12:00:00")
    # Privacy by default: Parvis has only keyed hashes of addresses and sends neither them nor the browser.
    assert "user_ip" not in form
    assert "user_agent" not in form
    assert "0123456789abcdef" not in request.body.decode()


def test_an_akismet_spam_answer_becomes_a_spam_finding(akismet: FakeService, site: Site) -> None:
    akismet.body = b"true"
    [finding] = connectors.findings("Buy cheap pills", site=site)
    assert finding.rule == "akismet.spam"
    assert finding.category == Category.SPAM
    assert 0.5 < finding.score < 1.0
    assert "Akismet" in finding.reason


def test_akismet_discard_tip_makes_the_spam_finding_stronger(akismet: FakeService, site: Site) -> None:
    akismet.body = b"true"
    [plain] = connectors.findings("Buy cheap pills", site=site)
    akismet.headers = {"X-akismet-pro-tip": "discard"}
    [blatant] = connectors.findings("Buy cheap pills", site=site)
    assert blatant.score > plain.score
    assert "discard" in blatant.reason


def test_an_akismet_ham_answer_adds_nothing(akismet: FakeService, site: Site) -> None:
    akismet.body = b"false"
    assert connectors.findings("A thoughtful remark about the article.", site=site) == []


def test_an_invalid_akismet_key_is_logged_and_skipped(
    akismet: FakeService, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    akismet.body = b"invalid"
    akismet.headers = {"X-akismet-debug-help": "Empty api_key value"}
    assert connectors.findings("Buy cheap pills", site=site) == []
    assert "Empty api_key value" in caplog.text


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_service_leaves_the_engine_deciding_alone(
    akismet: FakeService, site: Site, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    akismet.status = status
    akismet.body = b"oops"
    assert connectors.findings("Buy cheap pills", site=site) == []
    assert f"HTTP {status}" in caplog.text


def test_a_service_that_never_answers_is_abandoned_after_the_timeout(
    akismet: FakeService, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    akismet.hang = True
    started = time.monotonic()
    assert connectors.findings("Buy cheap pills", site=site) == []
    elapsed = time.monotonic() - started
    assert elapsed < 1 + connectors.GRACE_SECONDS + 1.0
    assert "akismet connector skipped" in caplog.text


def test_an_unreachable_service_is_skipped(site: Site, settings: Any) -> None:
    settings.PARVIS_AKISMET_KEY = "k"
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    settings.PARVIS_AKISMET_URL = "http://127.0.0.1:9"
    assert connectors.findings("Buy cheap pills", site=site) == []


def test_perspective_receives_the_documented_analyze_request(perspective: FakeService, site: Site) -> None:
    connectors.findings("You are an idiot", site=site, language="en")
    [request] = perspective.received
    assert request.path == "/v1alpha1/comments:analyze"
    assert request.query == {"key": ["perspective-test-key"]}
    assert request.headers["Content-Type"] == "application/json"
    body = request.json()
    assert body["comment"] == {"text": "You are an idiot", "type": "PLAIN_TEXT"}
    assert set(body["requestedAttributes"]) == {
        "TOXICITY",
        "SEVERE_TOXICITY",
        "IDENTITY_ATTACK",
        "INSULT",
        "PROFANITY",
        "THREAT",
    }
    assert body["doNotStore"] is True
    assert body["languages"] == ["en"]


def test_strong_perspective_scores_become_findings_one_per_category(perspective: FakeService, site: Site) -> None:
    perspective.answer_json(_scores(TOXICITY=0.92, SEVERE_TOXICITY=0.6, PROFANITY=0.7, INSULT=0.81, THREAT=0.1))
    found = {finding.rule: finding for finding in connectors.findings("You are an idiot", site=site)}
    assert set(found) == {"perspective.TOXICITY", "perspective.INSULT"}
    assert found["perspective.TOXICITY"].category == Category.TOXIC
    assert found["perspective.TOXICITY"].score == pytest.approx(0.92)
    assert found["perspective.INSULT"].category == Category.INSULT
    assert "Perspective" in found["perspective.INSULT"].reason


@pytest.mark.parametrize(
    "answer",
    [b"not json", b'{"attributeScores": "none"}', b'{"attributeScores": {"TOXICITY": {"summaryScore": {"value": 7}}}}'],
)
def test_a_nonsense_perspective_answer_is_skipped(perspective: FakeService, site: Site, answer: bytes) -> None:
    perspective.body = answer
    assert connectors.findings("You are an idiot", site=site) == []


def test_one_slow_service_does_not_hide_the_other(
    fake: FakeService, second_fake: FakeService, site: Site, settings: Any
) -> None:
    settings.PARVIS_AKISMET_KEY = "k"
    settings.PARVIS_AKISMET_URL = fake.url
    settings.PARVIS_PERSPECTIVE_KEY = "k"
    settings.PARVIS_PERSPECTIVE_URL = second_fake.url
    settings.PARVIS_CONNECTOR_TIMEOUT = 1
    fake.hang = True
    second_fake.answer_json(_scores(THREAT=0.95))
    [finding] = connectors.findings("I will find you", site=site)
    assert (finding.rule, finding.category) == ("perspective.THREAT", Category.THREAT)


@pytest.mark.parametrize(("is_spam", "method"), [(True, "submit-spam"), (False, "submit-ham")])
def test_a_moderators_verdict_is_reported_to_akismet(
    akismet: FakeService, comment: Comment, is_spam: bool, method: str
) -> None:
    akismet.body = b"Thanks for making the web a better place."
    assert connectors.report(comment, is_spam) is True
    [request] = akismet.received
    assert request.path == f"/1.1/{method}"
    form = request.form()
    assert form["comment_content"] == comment.body_markdown
    assert form["comment_author_email"] == "mallory@example.org"
    assert "user_ip" not in form


def test_reporting_never_raises_when_the_service_fails(akismet: FakeService, comment: Comment) -> None:
    akismet.status = 500
    assert connectors.report(comment, True) is False


def test_reporting_is_a_no_op_when_akismet_is_off(fake: FakeService, comment: Comment, settings: Any) -> None:
    settings.PARVIS_AKISMET_URL = fake.url
    assert connectors.report(comment, True) is False
    assert fake.received == []
