"""Publisher single sign-on: tokens minted with real keys the way a newsroom's backend does (docs/sso.md),
exchanged for a reader session, and every forged, stale, replayed or misdirected token refused."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from conftest import ApiClient
from parvis.accounts.models import Commenter
from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.identity.models import Identity, SignInSettings
from parvis.identity.tests.publisher import SECRET, mint


@pytest.fixture
def sso_site(site: Site) -> Site:
    SignInSettings.objects.create(site=site, sso_secret=SECRET)
    return site


def exchange(api: ApiClient, token: str) -> Any:
    return api.send("post", "/auth/sso", {"token": token})


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['token']}"}


def test_a_signed_in_subscriber_comments_under_the_publishers_name(api: ApiClient, sso_site: Site) -> None:
    answer = exchange(api, mint(name="Léa Martin", email="lea@example.org", roles=["subscriber"]))
    assert answer.status_code == 200, answer.json()
    session = answer.json()
    assert session["reader"]["name"] == "Léa Martin"
    assert session["reader"]["badge"] == "subscriber"
    assert api.get("/auth/me", headers=bearer(session)).json()["roles"] == ["subscriber"]

    posted = api.post_comment("Merci pour cet article.", name="Someone Else", headers=bearer(session))
    assert posted.status_code == 201, posted.json()
    author = posted.json()["comment"]["author"]
    assert author["name"] == "Léa Martin" and author["verified"] and author["badge"] == "subscriber"
    shown = api.thread().json()["comments"][0]["author"]
    assert shown["badge"] == "subscriber" and shown["profile"] == author["profile"]


def test_the_next_sign_in_updates_the_same_commenter(api: ApiClient, sso_site: Site) -> None:
    first = exchange(api, mint(name="Léa", roles=["subscriber"])).json()
    second = exchange(api, mint(name="Léa M.", roles=[])).json()
    assert first["reader"]["id"] == second["reader"]["id"]
    assert second["reader"]["name"] == "Léa M." and second["reader"]["roles"] == []
    assert Identity.objects.filter(provider="sso", subject="user-42").count() == 1


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (lambda: mint(exp=int(time.time()) - 120, iat=int(time.time()) - 400), "token_expired"),
        (lambda: mint(aud="another-site"), "token_wrong_audience"),
        (lambda: mint(key="not-the-newsroom-secret-at-all-no!"), "token_invalid"),
        (lambda: mint(jti=None), "token_invalid"),
        (lambda: mint(sub=None), "token_invalid"),
        (lambda: mint(exp=int(time.time()) + 86_400), "token_invalid"),  # a token for a day, not for a page view
        (lambda: "not.a.jwt", "token_invalid"),
    ],
    ids=["expired", "wrong-audience", "forged", "no-jti", "no-sub", "long-lived", "garbage"],
)
def test_bad_tokens_are_refused_with_their_reason(
    api: ApiClient, sso_site: Site, token: Any, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = exchange(api, token())
    assert answer.status_code == 401
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
    assert not Commenter.objects.exists()
    assert "SSO token refused" in caplog.text


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_alg_none_is_refused(api: ApiClient, sso_site: Site) -> None:
    now = int(time.time())
    token = _unsigned({"sub": "admin", "aud": "news", "iat": now, "exp": now + 60, "jti": "x"})
    answer = exchange(api, token)
    assert (answer.status_code, answer.json()["code"]) == (401, "token_invalid")
    assert not Commenter.objects.exists()


def test_a_public_key_used_as_an_hmac_secret_is_refused(api: ApiClient, site: Site) -> None:
    """Algorithm confusion: the attacker knows the published RSA key and signs HS256 with its PEM bytes."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    SignInSettings.objects.create(site=site, sso_public_key=public_pem.decode())
    assert exchange(api, mint(key=private, algorithm="RS256")).status_code == 200
    import hmac
    from hashlib import sha256

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    now = int(time.time())
    claims = {"sub": "admin", "aud": "news", "iat": now, "exp": now + 60, "jti": "forged"}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, header + b"." + body, sha256).digest()).rstrip(b"=")
    forged = (header + b"." + body + b"." + signature).decode()
    answer = exchange(api, forged)
    assert (answer.status_code, answer.json()["code"]) == (401, "token_invalid")
    assert not Identity.objects.filter(subject="admin").exists()


def test_eddsa_tokens_are_verified_with_the_published_key(api: ApiClient, site: Site) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    SignInSettings.objects.create(site=site, sso_public_key=public_pem.decode())
    assert exchange(api, mint(key=private, algorithm="EdDSA", name="Ed")).json()["reader"]["name"] == "Ed"
    other = ed25519.Ed25519PrivateKey.generate()
    assert exchange(api, mint(key=other, algorithm="EdDSA")).json()["code"] == "token_invalid"


def test_a_token_is_exchanged_once(api: ApiClient, sso_site: Site) -> None:
    token = mint()
    assert exchange(api, token).status_code == 200
    replay = exchange(api, token)
    assert (replay.status_code, replay.json()["code"]) == (401, "token_replayed")


def test_a_token_for_site_a_does_not_sign_in_on_site_b(api_for: Any, sso_site: Site) -> None:
    other = Site.objects.create(slug="other", name="Other", allowed_origins=["https://news.example"])
    SignInSettings.objects.create(site=other, sso_secret=SECRET)  # even with the same secret
    answer = exchange(api_for(other), mint(aud="news"))
    assert (answer.status_code, answer.json()["code"]) == (401, "token_wrong_audience")
    session = exchange(api_for(sso_site), mint()).json()
    refused = api_for(other).get("/auth/me", headers=bearer(session))
    assert (refused.status_code, refused.json()["code"]) == (401, "session_invalid")


def test_a_site_without_sso_says_so(api: ApiClient) -> None:
    answer = exchange(api, mint())
    assert (answer.status_code, answer.json()["code"]) == (409, "sign_in_unavailable")


def test_claiming_another_readers_email_does_not_take_over_their_account(api: ApiClient, sso_site: Site) -> None:
    victim = exchange(api, mint(sub="victim", name="Victime", email="victim@example.org")).json()
    api.post_comment("Mon avis.", headers=bearer(victim))
    attacker = exchange(api, mint(sub="attacker", name="Pirate", email="victim@example.org")).json()
    assert attacker["reader"]["id"] != victim["reader"]["id"]
    assert attacker["reader"]["name"] == "Pirate"
    victims_profile = api.get(f"/commenters/{victim['reader']['id']}").json()
    assert victims_profile["name"] == "Victime" and victims_profile["comment_count"] == 1
    assert api.get(f"/commenters/{attacker['reader']['id']}").json()["comment_count"] == 0
    assert api.get("/auth/me", headers=bearer(victim)).json()["name"] == "Victime"


def test_refresh_gives_a_new_token_and_kills_the_old_one(api: ApiClient, sso_site: Site) -> None:
    session = exchange(api, mint()).json()
    renewed = api.send("post", "/auth/refresh", headers=bearer(session))
    assert renewed.status_code == 200
    assert renewed.json()["token"] != session["token"]
    assert api.get("/auth/me", headers=bearer(session)).json()["code"] == "session_invalid"
    assert api.get("/auth/me", headers=bearer(renewed.json())).status_code == 200


def test_sign_out_everywhere_ends_every_session_of_the_reader(api: ApiClient, sso_site: Site) -> None:
    phone, laptop = exchange(api, mint()).json(), exchange(api, mint()).json()
    assert api.send("post", "/auth/sign-out-everywhere", headers=bearer(phone)).status_code == 204
    for session in (phone, laptop):
        refused = api.post_comment("Encore moi.", headers=bearer(session))
        assert (refused.status_code, refused.json()["code"]) == (401, "session_invalid")
    assert not Comment.objects.exists()


def test_a_malformed_authorization_header_is_refused_not_ignored(api: ApiClient) -> None:
    answer = api.post_comment("Bonjour", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert (answer.status_code, answer.json()["code"]) == (401, "session_invalid")
    assert not Comment.objects.exists()
