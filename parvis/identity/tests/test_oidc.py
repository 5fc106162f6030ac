"""Signing in with OpenID Connect: the popup's two pages against a real provider (tests/oidc_provider.py) over
real HTTP, with real keys; every forged or misdirected answer is refused and signs nobody in."""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parvis.accounts.models import Commenter
from parvis.core.models import Site
from parvis.identity import oidc
from parvis.identity.models import Identity, ReaderSession, SignInSettings
from parvis.identity.oidc_views import COOKIE, attempt_cookie
from tests.oidc_provider import Provider, running_provider

pytestmark = pytest.mark.django_db
CALLBACK = "http://parvis.test/auth/news/oidc/callback"


@pytest.fixture(autouse=True)
def _fresh_provider_cache() -> Iterator[None]:
    oidc.forget()  # each test's provider has new keys, perhaps on a port an earlier one used
    yield
    oidc.forget()


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider(redirect_uris=[CALLBACK]) as running:
        yield running


def configure(site: Site, provider: Provider, **fields: Any) -> None:
    SignInSettings.objects.update_or_create(site=site, defaults={
        "oidc_issuer": provider.issuer, "oidc_client_id": provider.client_id,
        "oidc_client_secret": provider.client_secret, **fields})  # fmt: skip


@pytest.fixture
def oidc_site(site: Site, provider: Provider) -> Site:
    configure(site, provider)
    return site


def message(response: Any) -> dict[str, Any]:
    """What the page hands to window.opener (its json_script block)."""
    found = re.search(r'<script id="parvis-message" type="application/json">(.*?)</script>', response.content.decode())
    assert found, response.content.decode()
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def start(client: Client, site: str = "news", lang: str = "en") -> Any:
    response = client.get(f"/auth/{site}/oidc/start", {"lang": lang})
    assert response.status_code == 302, response.content
    return response


def come_back(client: Client, address: str) -> Any:
    parts = urllib.parse.urlsplit(address)
    assert f"http://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path + "?" + parts.query)


def sign_in(client: Client, provider: Provider, sub: str = "sam") -> Any:
    return come_back(client, provider.follow(start(client)["Location"], sub))


def nobody_signed_in() -> bool:
    return not Commenter.objects.exists() and not ReaderSession.objects.exists() and not Identity.objects.exists()


def test_a_reader_signs_in_at_the_provider_and_the_app_receives_a_usable_session(client, oidc_site, provider, api):
    answer = start(client)
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(answer["Location"]).query)
    assert answer["Location"].startswith(provider.issuer + "/authorize?")
    assert sent["code_challenge_method"] == ["S256"] and sent["redirect_uri"] == [CALLBACK]
    assert sent["state"][0] and sent["nonce"][0] and sent["state"] != sent["nonce"]
    cookie = answer.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/auth/news/oidc/"

    page = come_back(client, provider.follow(answer["Location"], "sam"))

    assert page.status_code == 200
    posted = message(page)
    assert posted["parvis"] == 1 and posted["type"] == "session"
    reader = posted["session"]["reader"]
    assert reader["name"] == "Sam Subscriber" and reader["roles"] == ["subscriber"] and reader["verified"]
    assert reader["badge"] == "subscriber" and reader["avatar_url"] == "https://images.example/sam.png"
    assert "Sam Subscriber" in page.content.decode()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    # Django's default COOP (same-origin) would cut the popup off from the app that opened it.
    assert page["Cross-Origin-Opener-Policy"] == answer["Cross-Origin-Opener-Policy"] == "unsafe-none"
    # The page's script is a file of Parvis's own origin: the policy allows no inline script.
    assert "script-src 'self';" in page["Content-Security-Policy"]
    assert '<script src="/static/identity/oidc-popup.js"></script>' in page.content.decode()
    me = api.get("/auth/me", headers={"Authorization": f"Bearer {posted['session']['token']}"})
    assert me.status_code == 200
    assert me.json()["name"] == "Sam Subscriber" and me.json()["roles"] == ["subscriber"]
    commenter = Commenter.objects.get()
    assert commenter.email == "sam@example.org"
    assert Identity.objects.get().subject == "sam"
    # The token endpoint was called with the client's secret (basic), the code's redirect and the verifier.
    assert provider.token_requests[-1]["method"] == "client_secret_basic"
    assert provider.token_requests[-1]["code_verifier"]


def test_a_subscriber_may_comment_where_only_subscribers_may_and_another_reader_may_not(client, oidc_site, provider,
                                                                                       api):  # fmt: skip
    oidc_site.who_may_comment = "subscribers"
    oidc_site.save()
    sam = message(sign_in(client, provider, "sam"))["session"]["token"]
    nico = message(sign_in(client, provider, "nico"))["session"]["token"]

    posted = api.post_comment("Un abonné parle.", headers={"Authorization": f"Bearer {sam}"})
    refused = api.post_comment("Un lecteur parle.", headers={"Authorization": f"Bearer {nico}"})

    assert posted.status_code == 201, posted.content
    assert posted.json()["comment"]["author"]["name"] == "Sam Subscriber"
    assert refused.status_code == 403 and refused.json()["code"] == "subscribers_only"


def test_an_unverified_email_and_a_plain_http_picture_are_not_kept(client, oidc_site, provider):
    reader = message(sign_in(client, provider, "nico"))["session"]["reader"]
    assert reader["name"] == "Nico Reader" and reader["roles"] == [] and reader["avatar_url"] is None
    assert Commenter.objects.get().email == ""


def test_signing_in_again_updates_the_same_commenter_from_the_provider(client, oidc_site, provider):
    first = message(sign_in(client, provider, "sam"))["session"]["reader"]
    provider.users["sam"].name = "Samuel Subscriber"
    provider.users["sam"].roles = []

    again = message(sign_in(client, provider, "sam"))["session"]["reader"]

    assert again["id"] == first["id"] and again["name"] == "Samuel Subscriber" and again["roles"] == []
    assert Commenter.objects.count() == 1 and Identity.objects.count() == 1
    assert ReaderSession.objects.filter(commenter_id=first["id"]).count() == 2


def test_a_profile_the_provider_gives_only_at_userinfo_is_taken_from_there(client, oidc_site, provider):
    provider.thin_id_tokens = True
    reader = message(sign_in(client, provider, "sam"))["session"]["reader"]
    assert reader["name"] == "Sam Subscriber" and reader["roles"] == ["subscriber"]


def test_roles_are_read_from_the_claim_the_site_names_even_nested(client, site, provider):
    configure(site, provider, oidc_roles_claim="realm_access.roles")
    provider.users["sam"].roles = []
    claims = provider.users["sam"].claims
    provider.users["sam"].claims = lambda: {**claims(), "realm_access": {"roles": ["Subscriber"]}}  # type: ignore[method-assign]
    assert message(sign_in(client, provider, "sam"))["session"]["reader"]["roles"] == ["subscriber"]


@pytest.mark.parametrize(
    ("tamper", "code", "status"),
    [
        ("wrong_aud", "token_wrong_audience", 401),
        ("wrong_iss", "token_invalid", 401),
        ("expired", "token_expired", 401),
        ("other_key", "token_invalid", 401),
        ("unknown_kid", "token_invalid", 401),
        ("alg_none", "token_invalid", 401),
        ("hs256_public_key", "token_invalid", 401),
        ("wrong_nonce", "token_invalid", 401),
        ("no_nonce", "token_invalid", 401),
        ("old_iat", "token_expired", 401),
        ("future_iat", "token_invalid", 401),
        ("extra_aud", "token_wrong_audience", 401),
    ],
)
def test_a_forged_or_misdirected_id_token_is_refused_and_signs_nobody_in(client, oidc_site, provider, caplog,
                                                                          tamper, code, status):  # fmt: skip
    provider.tamper = tamper
    with caplog.at_level(logging.WARNING, logger="parvis.identity.oidc"):
        page = sign_in(client, provider)
    assert page.status_code == status
    assert message(page) == {"parvis": 1, "type": "sign-in-failed", "code": code}
    assert f"<code>{code}</code>" in page.content.decode()
    assert nobody_signed_in()
    assert any(code in record.getMessage() and "news" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("key", ["EC", "OKP"])
def test_an_es256_or_eddsa_provider_key_signs_in_and_its_algorithm_comes_from_the_key(client, site, key):
    with running_provider(redirect_uris=[CALLBACK], key=key) as provider:
        configure(site, provider)
        assert message(sign_in(client, provider))["type"] == "session"
        provider.tamper = "hs256_public_key"
        assert message(sign_in(client, provider))["code"] == "token_invalid"


def test_a_provider_that_takes_the_secret_in_the_form_only_gets_it_there(client, site):
    with running_provider(redirect_uris=[CALLBACK], auth_methods=("client_secret_post",)) as provider:
        configure(site, provider)
        assert message(sign_in(client, provider))["type"] == "session"
        assert provider.token_requests[-1]["method"] == "client_secret_post"
        assert provider.token_requests[-1]["client_secret"] == provider.client_secret


def test_a_wrong_client_secret_is_refused_by_the_provider(client, site, provider):
    configure(site, provider, oidc_client_secret="not-the-secret")
    page = sign_in(client, provider)
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"
    assert nobody_signed_in()


def test_a_callback_with_another_state_is_refused_and_the_real_attempt_still_completes(client, oidc_site, provider):
    back = provider.follow(start(client)["Location"], "sam")
    forged = re.sub(r"state=[^&]+", "state=forged", back)

    refused = come_back(client, forged)
    completed = come_back(client, back)

    assert refused.status_code == 400 and message(refused)["code"] == "sign_in_attempt_invalid"
    assert message(completed)["type"] == "session"


def test_a_callback_without_the_attempt_cookie_is_refused(client, oidc_site, provider):
    back = provider.follow(start(client)["Location"], "sam")
    client.cookies.pop(COOKIE)
    page = come_back(client, back)
    assert message(page)["code"] == "sign_in_attempt_invalid"
    assert nobody_signed_in()


def test_a_callback_with_a_cookie_of_another_site_is_refused(client, oidc_site, provider):
    other = Site.objects.create(slug="other", name="Other")
    configure(other, provider)
    provider.redirect_uris = [CALLBACK, CALLBACK.replace("/news/", "/other/")]
    back = provider.follow(start(client, "other")["Location"], "sam").replace("/auth/other/", "/auth/news/")
    page = come_back(client, back)
    assert message(page)["code"] == "sign_in_attempt_invalid"


def test_the_same_callback_opened_twice_signs_in_once(client, oidc_site, provider):
    back = provider.follow(start(client)["Location"], "sam")
    assert message(come_back(client, back))["type"] == "session"
    again = come_back(client, back)
    assert message(again)["code"] == "sign_in_attempt_invalid"
    assert ReaderSession.objects.count() == 1


def test_a_used_code_brought_to_a_new_attempt_is_refused_by_the_provider(client, oidc_site, provider):
    back = provider.follow(start(client)["Location"], "sam")
    assert message(come_back(client, back))["type"] == "session"
    used = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(start(client)["Location"]).query)["state"][0]
    page = client.get("/auth/news/oidc/callback", {"code": used["code"][0], "state": state})
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"
    assert ReaderSession.objects.count() == 1
    assert provider.token_requests[-1]["code"] == used["code"][0]


def test_a_pkce_verifier_that_does_not_match_the_challenge_is_refused_by_the_provider(client, oidc_site, provider):
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(start(client)["Location"]).query)
    back = provider.follow(start(client)["Location"], "sam")
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)["state"][0]
    assert state != sent["state"][0]
    # The cookie now holds the right state and nonce but another verifier than the challenge sent.
    client.cookies[COOKIE] = attempt_cookie(oidc_site, oidc.Attempt(state, "whatever", "another-verifier" * 3), "en")

    page = come_back(client, back)

    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"
    assert provider.token_requests[-1]["code_verifier"] == "another-verifier" * 3
    assert nobody_signed_in()


def test_a_reader_who_cancels_at_the_provider_is_told_signing_in_failed(client, oidc_site, provider):
    address = start(client)["Location"] + "&deny=1"
    page = come_back(client, provider.follow(address))
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"


def test_a_site_without_a_provider_says_this_sign_in_is_not_offered(client, site):
    page = client.get("/auth/news/oidc/start", {"lang": "fr"})
    assert page.status_code == 409
    assert message(page) == {"parvis": 1, "type": "sign-in-failed", "code": "sign_in_unavailable"}
    assert 'lang="fr"' in page.content.decode()


def test_an_unreachable_provider_is_a_failed_sign_in_not_a_server_error(client, site):
    with running_provider() as gone:
        issuer = gone.issuer
    SignInSettings.objects.create(site=site, oidc_issuer=issuer, oidc_client_id="parvis")
    page = client.get("/auth/news/oidc/start", {"lang": "he"})
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"
    assert 'dir="rtl"' in page.content.decode() and 'lang="he"' in page.content.decode()


def test_a_provider_whose_discovery_names_another_issuer_is_refused(client, site, provider):
    configure(site, provider, oidc_issuer=provider.issuer.replace("127.0.0.1", "localhost"))
    page = client.get("/auth/news/oidc/start")
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"


def test_a_provider_answer_that_redirects_is_not_followed(client, site, provider, caplog):
    configure(site, provider, oidc_issuer=provider.issuer + "/moved")
    page = client.get("/auth/news/oidc/start")
    assert page.status_code == 502 and message(page)["code"] == "sign_in_failed"
    assert "answered 302" in caplog.text


def test_the_error_page_speaks_the_language_the_popup_was_opened_in(client, oidc_site, provider):
    provider.tamper = "expired"
    page = come_back(client, provider.follow(start(client, lang="ar")["Location"], "sam"))
    assert 'lang="ar"' in page.content.decode() and 'dir="rtl"' in page.content.decode()


def test_an_unknown_site_has_no_sign_in_page(client, db, caplog):
    page = client.get("/auth/nowhere/oidc/start")
    assert page.status_code == 404 and message(page)["code"] == "site_not_found"
    assert "no site 'nowhere'" in caplog.text


def test_too_many_sign_ins_from_one_address_are_told_to_wait(client, oidc_site, provider, settings):
    settings.PARVIS_RATELIMIT_SIGN_IN_IP = "2/60"
    start(client), start(client)
    page = client.get("/auth/news/oidc/start")
    assert page.status_code == 429 and message(page)["code"] == "rate_limited" and page["Retry-After"]


def test_the_attempt_cookie_is_secure_when_parvis_is_served_over_https(client, oidc_site, provider, settings):
    settings.PUBLIC_URL = "https://parvis.test"
    provider.redirect_uris = None
    answer = start(client)
    assert answer.cookies[COOKIE]["secure"]
    assert "redirect_uri=https%3A%2F%2Fparvis.test%2Fauth%2Fnews%2Foidc%2Fcallback" in answer["Location"]


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"oidc_issuer": "http://login.example.org", "oidc_client_id": "parvis"}, "oidc_issuer"),
        ({"oidc_issuer": "https://login.example.org"}, "oidc_client_id"),
    ],
)
def test_the_admin_refuses_a_provider_setup_that_could_not_sign_anyone_in(site, fields, wrong):
    with pytest.raises(ValidationError) as refused:
        SignInSettings(site=site, **fields).full_clean()
    assert wrong in refused.value.message_dict


def test_the_admin_accepts_an_https_provider(site):
    SignInSettings(site=site, oidc_issuer="https://login.example.org", oidc_client_id="parvis").full_clean()


def test_the_demo_article_lets_its_sign_in_popups_keep_their_opener(client, db):
    from parvis.web import demo

    demo.seed()
    # same-origin (Django's default) would cut the popup off from the app that opened it.
    assert client.get("/")["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
