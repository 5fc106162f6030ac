"""The OpenID Connect popup in a real browser: the app iframe (Parvis's embed frame, on a publisher's article of
another origin) opens /auth/<site>/oidc/start, the reader picks an account on the test provider's page
(tests/oidc_provider.py, real HTTP and signatures), and the callback page hands the session to its opener and
closes, under the pages' Content-Security-Policy (its script is a file of Parvis's origin, not inline) and with
the opener kept across the provider's origin. The widget's own button and session handling are tested with the
widget; this pins the popup's half of the contract."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.browser import WATCHER
from tests.oidc_provider import Provider, running_provider
from tests.servers import ParvisServer, free_port

pytestmark = pytest.mark.browser

# The publisher's article is served for real on another port of the loopback interface (another origin): a page
# playwright made up would count as public, and Chromium's local-network checks would keep it from framing
# 127.0.0.1 — which a real publisher framing a real Parvis never meets.
PUBLISHER_PORT = free_port()
PUBLISHER = f"http://localhost:{PUBLISHER_PORT}"
# The publisher's article, with `Cross-Origin-Opener-Policy: same-origin-allow-popups`: the strictest that keeps
# the popups' openers (`same-origin` would cut them off).
ARTICLE = """<!doctype html><html lang=en><title>An article</title><h1>An article</h1>
<iframe id=parvis src="{server}/embed/journal/frame?origin={publisher}&key=story-1" width=600 height=400></iframe>"""

SETUP = """
from parvis.core.models import Site
from parvis.identity.models import SignInSettings
SignInSettings.objects.create(site=Site.objects.get(slug="journal"), oidc_issuer={issuer!r},
                              oidc_client_id={client_id!r}, oidc_client_secret={secret!r})
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, provider: Provider, migrated: Path) -> Iterator[ParvisServer]:
    with ParvisServer(tmp_path_factory.mktemp("parvis-oidc"), workers=1) as running:
        running.copy_database(migrated)
        running.cli("site", "create", "journal", "--name", "The Journal", "--language", "en", "--origin", PUBLISHER)
        setup = SETUP.format(issuer=provider.issuer, client_id=provider.client_id, secret=provider.client_secret)
        running.cli("manage", "shell", "-c", setup)
        provider.redirect_uris = [f"{running.url}/auth/journal/oidc/callback"]
        running.start()
        yield running


class _Article(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("Cross-Origin-Opener-Policy", "same-origin-allow-popups")
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture(scope="module")
def publisher(server: ParvisServer) -> Iterator[str]:
    _Article.body = ARTICLE.format(server=server.url, publisher=PUBLISHER).encode()
    httpd = ThreadingHTTPServer(("127.0.0.1", PUBLISHER_PORT), _Article)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield PUBLISHER
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def opener(browser: Browser, server: ParvisServer, publisher: str) -> Iterator[tuple[Frame, list[str]]]:
    """The app iframe on the publisher's article, and what every window says on the console."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_init_script(WATCHER)  # in every frame and popup: it records messages and CSP violations
    console: list[str] = []
    context.on("console", lambda message: console.append(f"{message.type}: {message.text} {message.location['url']}"))

    page = context.new_page()
    page.goto(f"{PUBLISHER}/article")
    frame = page.locator("#parvis").element_handle().content_frame()
    assert frame is not None and frame.url.startswith(server.url), console
    frame.wait_for_load_state()
    yield frame, console
    context.close()


def open_popup(frame: Frame, lang: str = "en") -> Page:
    with frame.page.expect_popup() as opened:
        frame.evaluate(f"window.open('/auth/journal/oidc/start?lang={lang}', 'parvis-sign-in', 'width=480,height=640')")
    return opened.value


def messages(frame: Frame) -> list[dict[str, object]]:
    return frame.evaluate("window.__parvis.messages")  # type: ignore[no-any-return]


def test_the_popup_hands_a_usable_session_to_its_opener_and_closes(opener, server, provider) -> None:
    page, console = opener
    provider.tamper = ""
    popup = open_popup(page)
    expect(popup.locator("h1")).to_have_text("Sign in as")
    with popup.expect_event("close"):
        popup.click("#user-sam")

    page.wait_for_function("() => window.__parvis.messages.length > 0")
    [message] = messages(page)
    assert message["type"] == "session"
    session = message["session"]
    assert isinstance(session, dict) and session["reader"]["name"] == "Sam Subscriber"
    request = urllib.request.Request(
        f"{server.url}/api/v1/sites/journal/auth/me", headers={"Authorization": f"Bearer {session['token']}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.load(answer)["roles"] == ["subscriber"]
    # (the provider's and the article's pages have no icon: not Parvis's doing)
    errors = [text for text in console if text.startswith("error:") and not text.endswith("/favicon.ico")]
    assert [text for text in console if "Content Security Policy" in text] + errors == []
    assert page.evaluate("window.__parvis.csp") == []


def test_a_refused_id_token_leaves_the_popup_open_saying_why_in_hebrew(opener, provider) -> None:
    page, console = opener
    provider.tamper = "wrong_aud"
    try:
        popup = open_popup(page, "he")
        popup.click("#user-sam")
        expect(popup.locator("[role=alert] code")).to_have_text("token_wrong_audience")
    finally:
        provider.tamper = ""
    assert popup.locator("html").get_attribute("dir") == "rtl"
    page.wait_for_function("() => window.__parvis.messages.length > 0")
    assert messages(page) == [{"parvis": 1, "type": "sign-in-failed", "code": "token_wrong_audience"}]
    assert popup.evaluate("window.__parvis.csp") == []
    with popup.expect_event("close"):
        popup.click("#parvis-close")
    assert [text for text in console if "Content Security Policy" in text] == []
