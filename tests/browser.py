"""Driving Debian's Chromium with playwright, shared by the browser tests and bench/widget.py.

`watch(page)` records what a page and its frames say — console messages, uncaught errors, dialogs and
Content-Security-Policy violations — so every test can end with `assert_quiet()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Injected in every frame before its own scripts (outside the page's CSP): what the browser reports to the page.
WATCHER = """
window.__parvis = {csp: [], errors: [], messages: []};
document.addEventListener("securitypolicyviolation", (event) => {
  window.__parvis.csp.push(`${event.violatedDirective} ${event.blockedURI}`);
});
window.addEventListener("error", (event) => window.__parvis.errors.push(String(event.message)));
window.addEventListener("unhandledrejection", (event) => window.__parvis.errors.push(String(event.reason)));
window.addEventListener("message", (event) => {
  if (event.data && event.data.parvis) window.__parvis.messages.push(event.data);
});
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page and what it and its frames said: console messages, uncaught errors and dialogs."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def context(self) -> BrowserContext:
        return self.page.context

    def recorded(self, what: str) -> list[str]:
        found: list[str] = []
        for frame in self.page.frames:
            if frame.is_detached() or frame.url in ("", "about:blank"):
                continue
            found += [str(item) for item in frame.evaluate(f"window.__parvis ? window.__parvis.{what} : []")]
        return found

    def assert_quiet(self, *, csp: bool = True, allow_console: str | None = None) -> None:
        """No CSP violation, uncaught error, dialog or console error (unless it matches ``allow_console``)."""
        if csp:
            reported = [text for text in self.console if "Content Security Policy" in text]
            assert reported + self.recorded("csp") == []
        assert self.errors + self.recorded("errors") == []
        assert self.dialogs == []
        console_errors = [
            text
            for text in self.console
            if text.startswith("error:")
            and not text.endswith("/favicon.ico")  # the demo pages have none; not the widget's doing
            and not (allow_console and re.search(allow_console, text))
        ]
        assert console_errors == []


def watch(page: Page) -> Watched:
    """Start recording what ``page`` says; call before the first navigation."""
    seen = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        seen.console.append(f"{message.type}: {message.text} {message.location.get('url', '')}")

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("dialog", on_dialog)
    page.add_init_script(WATCHER)
    return seen


@contextmanager
def staff_page(browser: Browser, width: int = 1100) -> Iterator[Watched]:
    """A watched page in a fresh English context, wide enough for the dashboard's queue."""
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield watch(context.new_page())
    finally:
        context.close()


def sign_in(page: Page, base_url: str, path: str, username: str, password: str) -> None:
    """Open a dashboard page, sign in on the login page it redirects to, and wait to be back on it."""
    page.goto(f"{base_url}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}{path}")
