"""A small but real OpenID Connect provider for tests: real HTTP on 127.0.0.1, real signatures, real PKCE.

Use it from any test (the Django test client, a ParvisServer, a browser)::

    from tests.oidc_provider import running_provider

    with running_provider() as provider:          # or running_provider(users=[...], key="EC" or "OKP")
        SignInSettings.objects.create(site=site, oidc_issuer=provider.issuer,
                                      oidc_client_id=provider.client_id,
                                      oidc_client_secret=provider.client_secret)
        ...                                       # the widget's popup opens /auth/<site>/oidc/start

In a browser, ``/authorize`` shows a page listing the users ("Sam Subscriber", roles ["subscriber"], and
"Nico Reader", no roles, email not verified): click one (its link has ``id="user-<sub>"``) and the provider sends
the browser back to the redirect URI with a code. A test without a browser adds ``pick=<sub>`` to the
authorization URL (``provider.pick(url, "sam")``) to be redirected at once; or set ``provider.auto_pick = "sam"``.

Misbehaving on demand, for the bad-input tests: ``provider.tamper = "<mode>"`` changes the next ID tokens:
``wrong_aud``, ``wrong_iss``, ``expired``, ``other_key`` (signed by a key not in the JWKS, same `kid`),
``unknown_kid`` (a key not in the JWKS under its own `kid`), ``alg_none``, ``hs256_public_key`` (an HMAC keyed
with the public key's PEM), ``wrong_nonce``, ``no_nonce``, ``old_iat`` (issued an hour ago, not expired),
``future_iat``, ``extra_aud`` (two audiences and no `azp`). ``provider.thin_id_tokens = True`` leaves the
profile out of ID tokens (it is then only at ``/userinfo``, as with some providers).

A browser test needs the page that opens the popup (the publisher's article, top level) not to send
``Cross-Origin-Opener-Policy: same-origin``, and that page served for real on the loopback interface (a page
playwright makes up counts as public, and Chromium's local-network checks then keep it from framing 127.0.0.1):
see tests/test_browser_oidc_popup.py.

Endpoints: ``/.well-known/openid-configuration`` (and a redirect to it from ``/moved/...``), ``/authorize``,
``/token`` (client_secret_basic or client_secret_post; a code serves once, within 60 s, for the redirect URI it
was issued to, and only with the PKCE verifier of its S256 challenge), ``/jwks``, ``/userinfo``.
``redirect_uris=None`` accepts any redirect URI (a browser test whose server port is chosen late); give the list
to make the provider check it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

CODE_SECONDS = 60


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class User:
    sub: str
    name: str
    email: str = ""
    email_verified: bool = True
    picture: str = ""
    roles: list[str] = field(default_factory=list)

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"name": self.name, "roles": list(self.roles)}
        if self.email:
            claims.update(email=self.email, email_verified=self.email_verified)
        if self.picture:
            claims["picture"] = self.picture
        return claims


SAMPLE_USERS = (
    User("sam", "Sam Subscriber", "sam@example.org", True, "https://images.example/sam.png", ["subscriber"]),
    User("nico", "Nico Reader", "nico@example.org", False, "http://images.example/nico.png"),
)


@dataclass
class Grant:
    user: User
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    expires: float


def _new_key(kind: str) -> Any:
    if kind == "EC":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "OKP":
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """The provider's state: its keys, users, client and the codes it issued. Attributes may change while it
    runs (``tamper``, ``users``, ``auto_pick``)."""

    def __init__(
        self,
        users: list[User] | None = None,
        client_id: str = "parvis-test",
        client_secret: str = "test-client-secret",  # noqa: S107 (a test provider's)
        redirect_uris: list[str] | None = None,
        key: str = "RSA",
        auth_methods: tuple[str, ...] = ("client_secret_basic", "client_secret_post"),
    ) -> None:
        # Copies: a test that changes a user (a new name, lost roles) changes it for its own provider only.
        self.users = {user.sub: copy.deepcopy(user) for user in (users if users is not None else SAMPLE_USERS)}
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris
        self.auth_methods = auth_methods
        self.key_kind = key
        self.algorithm = {"EC": "ES256", "OKP": "EdDSA"}.get(key, "RS256")
        self.key = _new_key(key)
        self.kid = "key-1"
        self.tamper = ""
        self.auto_pick = ""
        self.thin_id_tokens = False  # True: the profile (name, email, roles) only at /userinfo, as some providers do
        self.issuer = ""
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, User] = {}
        self.token_requests: list[dict[str, str]] = []  # what Parvis sent to /token (auth method, form)
        self.lock = threading.Lock()

    # -- for tests -------------------------------------------------------------------------------------------
    def pick(self, authorization_url: str, sub: str) -> str:
        """The authorization URL with the user chosen in advance (the provider redirects at once)."""
        return authorization_url + "&" + urllib.parse.urlencode({"pick": sub})

    def follow(self, authorization_url: str, sub: str | None = None) -> str:
        """GET the authorization URL (choosing ``sub``) and return where the provider redirects: the
        callback address with `code` and `state`, or with `error`."""
        url = self.pick(authorization_url, sub) if sub else authorization_url

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(url, timeout=5) as response:
                raise AssertionError(f"the provider did not redirect: {response.status}")
        except urllib.error.HTTPError as answer:
            if answer.code != 302:
                raise AssertionError(f"the provider answered {answer.code}: {answer.read()!r}") from None
            return str(answer.headers["Location"])

    @property
    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.get_default_algorithms()[self.algorithm].to_jwk(self.key.public_key()))
        public.update(kid=self.kid, use="sig", alg=self.algorithm)
        return {"keys": [public]}

    # -- ID tokens -------------------------------------------------------------------------------------------
    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": grant.user.sub, "aud": grant.client_id, "iat": now,
                                  "exp": now + 300, "auth_time": now}  # fmt: skip
        if not self.thin_id_tokens:
            claims.update(grant.user.claims())
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        tamper = self.tamper
        if tamper == "wrong_aud":
            claims["aud"] = "another-client"
        elif tamper == "wrong_iss":
            claims["iss"] = "https://idp.attacker.example"
        elif tamper == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif tamper == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-of-this-attempt"
        elif tamper == "no_nonce":
            claims.pop("nonce", None)
        elif tamper == "old_iat":
            claims.update(iat=now - 3600, auth_time=now - 3600)
        elif tamper == "future_iat":
            claims["iat"] = now + 3600
        elif tamper == "extra_aud":
            claims["aud"] = [grant.client_id, "another-client"]  # and no `azp` naming this client
        if tamper == "alg_none":
            return jwt.encode(claims, None, algorithm="none", headers={"kid": self.kid})
        if tamper == "hs256_public_key":
            # PyJWT refuses to HMAC with a PEM (the very attack): sign by hand, keyed with the published key.
            pem = self.key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.kid}).encode())
            body = _b64(json.dumps(claims).encode())
            signature = _b64(hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
            return f"{header}.{body}.{signature}"
        key, kid = self.key, self.kid
        if tamper == "other_key":
            key = _new_key(self.key_kind)
        elif tamper == "unknown_kid":
            key, kid = _new_key(self.key_kind), "key-unknown"
        return jwt.encode(claims, key, algorithm=self.algorithm, headers={"kid": kid})


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(document).encode(), "application/json", headers)

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", {"Location": url})

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = {key: values[0] for key, values in urllib.parse.parse_qs(parts.query).items()}
        if parts.path.startswith("/moved/"):  # an issuer URL under /moved redirects (Parvis must not follow)
            return self._redirect(self.provider.issuer + parts.path.removeprefix("/moved"))
        if parts.path == "/.well-known/openid-configuration":
            issuer = self.provider.issuer
            return self._json(200, {
                "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks", "userinfo_endpoint": f"{issuer}/userinfo",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [self.provider.algorithm],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": list(self.provider.auth_methods),
            })  # fmt: skip
        if parts.path == "/jwks":
            return self._json(200, self.provider.jwks)
        if parts.path == "/authorize":
            return self._authorize(query)
        if parts.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = self.provider.access_tokens.get(token)
            if user is None:
                return self._json(401, {"error": "invalid_token"})
            return self._json(200, {"sub": user.sub, **user.claims()})
        return self._json(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        provider = self.provider
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != provider.client_id:
            return self._send(400, b"unknown client_id", "text/plain")
        if provider.redirect_uris is not None and redirect_uri not in provider.redirect_uris:
            return self._send(400, b"redirect_uri not registered", "text/plain")

        def back(**params: str) -> None:
            params["state"] = query.get("state", "")
            self._redirect(redirect_uri + ("&" if "?" in redirect_uri else "?") + urllib.parse.urlencode(params))

        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return back(error="unsupported_response_type")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE S256 is required")
        chosen = query.get("pick") or provider.auto_pick
        if query.get("deny"):
            return back(error="access_denied", error_description="The user said no")
        if not chosen:
            return self._send(200, self._choose_page(query).encode(), "text/html; charset=utf-8")
        user = provider.users.get(chosen)
        if user is None:
            return back(error="access_denied", error_description="no such user")
        code = secrets.token_urlsafe(24)
        with provider.lock:
            provider.grants[code] = Grant(user, provider.client_id, redirect_uri, query["code_challenge"],
                                          query.get("nonce"), time.time() + CODE_SECONDS)  # fmt: skip
        back(code=code)

    def _choose_page(self, query: dict[str, str]) -> str:
        links = []
        for user in self.provider.users.values():
            address = "/authorize?" + urllib.parse.urlencode({**query, "pick": user.sub})
            roles = ", ".join(user.roles) or "no roles"
            links.append(f'<li><a id="user-{html.escape(user.sub)}" href="{html.escape(address)}">'
                         f"{html.escape(user.name)}</a> ({html.escape(roles)})</li>")  # fmt: skip
        deny = "/authorize?" + urllib.parse.urlencode({**query, "deny": "1"})
        return (
            "<!doctype html><html lang=en><title>Test identity provider</title><h1>Sign in as</h1>"
            f'<ul>{"".join(links)}</ul><p><a id=deny href="{html.escape(deny)}">Cancel</a></p></html>'
        )

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/token":
            return self._json(404, {"error": "not_found"})
        length = int(self.headers.get("Content-Length") or 0)
        form = {key: values[0] for key, values in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        provider = self.provider
        client_id, secret, method = form.get("client_id", ""), form.get("client_secret", ""), "client_secret_post"
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = (urllib.parse.unquote(part) for part in pair.partition(":"))
            method = "client_secret_basic"
        provider.token_requests.append({"method": method, **form})
        if method not in provider.auth_methods:
            return self._json(401, {"error": "invalid_client", "error_description": f"{method} not allowed"})
        if client_id != provider.client_id or not hmac.compare_digest(secret, provider.client_secret):
            return self._json(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        with provider.lock:
            grant = provider.grants.pop(form.get("code", ""), None)  # a code serves once, even when refused
        if grant is None or grant.expires < time.time():
            return self._json(400, {"error": "invalid_grant", "error_description": "unknown or used code"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri differs"})
        verifier = form.get("code_verifier", "")
        if not hmac.compare_digest(_b64(hashlib.sha256(verifier.encode()).digest()), grant.challenge):
            return self._json(400, {"error": "invalid_grant", "error_description": "PKCE verifier mismatch"})
        access_token = secrets.token_urlsafe(24)
        provider.access_tokens[access_token] = grant.user
        self._json(200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                         "id_token": provider.id_token(grant)})  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: Provider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider


@contextmanager
def running_provider(users: list[User] | None = None, **options: Any) -> Iterator[Provider]:
    """A provider listening on a free port of 127.0.0.1 until the block ends; ``provider.issuer`` is its URL."""
    provider = Provider(users, **options)
    server = _Server(provider)
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
