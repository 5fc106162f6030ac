"""The demo newsroom: its login sets its own cookie, its pages embed a publisher token Parvis accepts once, and
`parvis demo` seeds a subscribers-only article."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import CommentRule
from parvis.identity import sso
from parvis.identity.models import sign_in_settings
from parvis.threads.models import Thread
from parvis.web import demo, newsroom

TOKEN = re.compile(r'data-parvis-sso-token="([^"]+)"')


@pytest.fixture
def site(db: None) -> Any:
    call_command("demo", stdout=io.StringIO())
    return demo.ensure_site()


def test_the_demo_site_gets_an_sso_secret_once_and_its_login_url_is_the_newsroom_login(site: Any) -> None:
    config = sign_in_settings(site)
    assert len(config.sso_secret) >= 40
    assert config.sso_login_url.endswith("/demo/newsroom/login/")
    demo.seed()
    assert sign_in_settings(site).sso_secret == config.sso_secret  # kept, not made again


def test_the_subscribers_only_article_has_its_thread_open_to_subscribers(site: Any) -> None:
    thread = Thread.objects.get(site=site, key=demo.SUBSCRIBERS_KEY)
    assert thread.who_may_comment == CommentRule.SUBSCRIBERS


def test_choosing_a_reader_sets_a_signed_httponly_newsroom_cookie_and_returns_to_the_article(
    site: Any, client: Any
) -> None:
    answer = client.post("/demo/newsroom/login/", {"reader": "lea", "next": demo.SUBSCRIBERS_PATH})
    assert answer.status_code == 303
    assert answer["Location"] == demo.SUBSCRIBERS_PATH
    cookie = answer.cookies[newsroom.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie.value != "lea" and cookie.value.startswith("lea:")  # signed, not a bare name


def test_a_forged_newsroom_cookie_signs_nobody_in(site: Any, client: Any) -> None:
    client.cookies[newsroom.COOKIE] = "lea"
    page = client.get(demo.SUBSCRIBERS_PATH).content.decode()
    assert not TOKEN.search(page)


def test_the_login_never_sends_the_reader_to_another_site(site: Any, client: Any) -> None:
    answer = client.post("/demo/newsroom/login/", {"reader": "lea", "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_each_article_view_embeds_a_fresh_token_parvis_accepts_once_for_that_reader(site: Any, client: Any) -> None:
    client.post("/demo/newsroom/login/", {"reader": "lea", "next": "/"})
    first, second = (TOKEN.search(client.get(demo.SUBSCRIBERS_PATH).content.decode()) for _ in range(2))
    assert first and second and first.group(1) != second.group(1)
    claims = sso.verify(site, first.group(1))
    assert claims["sub"] == newsroom.READERS["lea"].sub
    assert claims["roles"] == ["subscriber"] and claims["aud"] == site.slug
    assert int(claims["exp"]) - int(claims["iat"]) == newsroom.TOKEN_LIFETIME  # type: ignore[call-overload]
    commenter, _ = sso.exchange(site, first.group(1))
    assert commenter.name == "Léa Martin" and commenter.verified
    with pytest.raises(ProblemError) as replayed:
        sso.exchange(site, first.group(1))
    assert replayed.value.code == Code.TOKEN_REPLAYED


def test_signing_out_of_the_newsroom_stops_the_tokens(site: Any, client: Any) -> None:
    client.post("/demo/newsroom/login/", {"reader": "karim", "next": "/"})
    assert TOKEN.search(client.get("/").content.decode())
    answer = client.get("/demo/newsroom/logout/?next=/")
    assert answer.status_code == 302
    assert not TOKEN.search(client.get("/").content.decode())
