"""Signing in with a second factor in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

An owner whose authenticator is set up signs in with their password and the code the app would show now (computed
here from the same secret); a journalist enrols from their account page, reading the key off the page, keeps the
recovery codes it shows once, and signs in again with one of them. Nothing violates the page's
Content-Security-Policy along the way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from parvis.dashboard import totp
from tests.browser import Watched, staff_page
from tests.servers import ParvisServer, seeded_server

pytestmark = pytest.mark.browser

PASSWORD = "an owner's long password"
SECRET = totp.new_secret()
SETUP = f"""
from django.contrib.auth import get_user_model
from django.utils import timezone
from parvis.core.models import Site
from parvis.dashboard.models import Membership, SecondFactor
site = Site.objects.create(slug="totp", name="TOTP News", allowed_origins=["https://news.example"])
owner = get_user_model().objects.create_user("olga", password={PASSWORD!r})
Membership.objects.create(user=owner, site=site, role="owner")
SecondFactor.objects.create(user=owner, secret={SECRET!r}, enabled_at=timezone.now())
jules = get_user_model().objects.create_user("jules", password={PASSWORD!r})
Membership.objects.create(user=jules, site=site, role="journalist")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    folder = tmp_path_factory.mktemp("parvis-totp")
    with seeded_server(folder, SETUP, {"PARVIS_MODERATION_ENCODER": "off"}, migrated) as running:
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser, width=1000) as page:
        yield page


def sign_in_with_password(watched: Watched, server: ParvisServer, username: str) -> None:
    page = watched.page
    page.goto(f"{server.url}/moderate/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")


def test_an_owner_signs_in_with_password_and_code(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    sign_in_with_password(watched, server, "olga")
    page.wait_for_url(f"{server.url}/moderate/login/code/")
    window = {totp.code_at(SECRET, time.time() + offset * totp.PERIOD) for offset in (-1, 0, 1, 2)}
    page.fill("input[name=code]", next(code for code in ("000000", "111111", "222222") if code not in window))
    page.keyboard.press("Enter")
    expect(page.locator(".dash-error")).to_have_text("Wrong code.")
    # The code page does not sign in: the queue still asks for the password.
    assert page.url == f"{server.url}/moderate/login/code/"
    page.fill("input[name=code]", totp.code_at(SECRET, time.time()))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/moderate/")
    expect(page.locator(".dash-logout")).to_contain_text("olga")
    watched.assert_quiet(allow_console=r"status of 400")


def test_a_journalist_enrols_and_signs_in_with_a_recovery_code(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    sign_in_with_password(watched, server, "jules")
    page.wait_for_url(f"{server.url}/moderate/")
    page.click("text=Your account")
    page.click("text=Set up a second factor")
    secret = page.locator(".dash-secret").inner_text().replace(" ", "")
    expect(page.locator(".dash-uri")).to_contain_text(f"otpauth://totp/Parvis:jules?secret={secret}")
    page.fill("form[action$='totp/confirm'] input[name=code]", totp.code_at(secret, time.time()))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Second factor enabled")
    codes = page.locator(".dash-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=Sign out")
    page.wait_for_url(f"{server.url}/moderate/login/")
    sign_in_with_password(watched, server, "jules")
    page.wait_for_url(f"{server.url}/moderate/login/code/")
    page.fill("input[name=code]", codes[0])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/moderate/")
    page.click("text=Your account")
    expect(page.locator("[data-totp=enabled]")).to_contain_text("9 recovery codes left.")
    watched.assert_quiet()
