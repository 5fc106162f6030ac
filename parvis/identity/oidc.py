"""OpenID Connect sign-in against a site's identity provider: authorization code flow with PKCE (S256).

The popup (parvis.identity.oidc_views) starts an attempt here and sends the reader to the provider; the provider
sends them back with a code, which is exchanged at the token endpoint (with the PKCE verifier, so a code caught
on the way is useless) for an ID token, verified here before ``accounts.sign_in``.

What is trusted and why:
- The provider's endpoints come from its discovery document, whose ``issuer`` must be the configured issuer.
  Endpoints are https (plain http only on the loopback interface, for a provider on the same machine).
- The signature algorithm is never read from the token: it is the one the provider's key (JWKS) is for (RS256
  for RSA, ES256 for P-256, EdDSA for Ed25519), so `alg: none` and an HMAC "signed" with the public key fail.
- `iss` is the issuer, `aud` holds the client id (and `azp` is it when several audiences are listed), `exp` has
  not passed, `iat` is recent, and `nonce` is the one this attempt sent: an ID token minted for another client,
  another provider, or another attempt is refused.
- The email is kept only when the provider does not say it is unverified; a picture only over https.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from parvis.accounts.models import Commenter
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line
from parvis.identity.accounts import Claims, from_token, sign_in
from parvis.identity.models import Provider, SignInSettings, sign_in_settings
from parvis.identity.sessions import Opened

logger = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds per request to the provider: the reader is waiting in the popup
MAX_RESPONSE_BYTES = 512 * 1024
CACHE_SECONDS = 300.0  # discovery documents and key sets are kept this long (a rotated key is fetched at once)
LEEWAY = 30  # seconds of clock difference between the provider and this server
MAX_AGE = 600  # seconds: an ID token is minted at the code exchange, an older `iat` is not this attempt's
SCOPES = "openid profile email"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# The signature kind each JWKS key type stands for; no other algorithm is ever accepted.
KEY_ALGORITHMS = {("RSA", ""): "RS256", ("EC", "P-256"): "ES256", ("OKP", "Ed25519"): "EdDSA"}
ALLOWED_ALGORITHMS = frozenset(KEY_ALGORITHMS.values())


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    """What one sign-in attempt must find again on the way back: kept by the popup in a signed cookie."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> Attempt:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        return _b64(hashlib.sha256(self.verifier.encode("ascii")).digest())


_cache: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop the kept discovery documents and key sets (tests start a new provider each time)."""
    with _lock:
        _cache.clear()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def failed(site: Site, code: Code, reason: str) -> ProblemError:
    """A refusal, logged with its reason (the reader sees only the code and its title)."""
    logger.warning("OIDC sign-in refused on site %s: %s (%s)", site.slug, code, reason)
    return ProblemError(code, reason if code != Code.SIGN_IN_FAILED else None)


def _allowed_url(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A provider's endpoints answer themselves: a redirect (to plain http, to another host) is a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Any:
    """The JSON answer of ``url`` (a form POST when ``data`` is given); ValueError for anything else."""
    if not _allowed_url(url):
        raise ValueError(f"{url} is neither https nor on the loopback interface")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=body, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = error.read(2000).decode("utf-8", "replace")
        raise ValueError(f"{url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ValueError(f"{url} could not be reached: {error}") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ValueError(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        return json.loads(raw)
    except ValueError:
        raise ValueError(f"{url} did not answer JSON") from None


def _cached(key: str, load: Any, refresh: bool = False) -> Any:
    now = time.monotonic()
    with _lock:
        kept = _cache.get(key)
    if kept is not None and kept[0] > now and not refresh:
        return kept[1]
    value = load()
    with _lock:
        if len(_cache) > 200:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def discover(site: Site, config: SignInSettings) -> Discovery:
    """The provider's endpoints, from its discovery document (kept ``CACHE_SECONDS``)."""
    issuer = config.oidc_issuer.rstrip("/")

    def load() -> Discovery:
        document = _request(issuer + "/.well-known/openid-configuration")
        if not isinstance(document, dict):
            raise ValueError("the discovery document is not an object")
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ValueError(f"the discovery document names issuer {document.get('issuer')!r}")
        endpoints = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not isinstance(value, str) or not _allowed_url(value):
                raise ValueError(f"the discovery document's {name} is missing or not https")
            endpoints[name] = value
        userinfo = document.get("userinfo_endpoint")
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return Discovery(
            issuer=str(document["issuer"]),
            userinfo_endpoint=userinfo if isinstance(userinfo, str) and _allowed_url(userinfo) else "",
            token_auth_methods=tuple(str(method) for method in methods) if isinstance(methods, list) else (),
            **endpoints,
        )

    try:
        return _cached("discovery " + issuer, load)  # type: ignore[no-any-return]
    except ValueError as error:
        raise failed(site, Code.SIGN_IN_FAILED, f"discovery at {issuer}: {error}") from None


def authorization_url(config: SignInSettings, discovery: Discovery, attempt: Attempt, redirect_uri: str,
                      language: str) -> str:  # fmt: skip
    query = {
        "response_type": "code",
        "client_id": config.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
        "ui_locales": language,
    }
    separator = "&" if urllib.parse.urlsplit(discovery.authorization_endpoint).query else "?"
    return discovery.authorization_endpoint + separator + urllib.parse.urlencode(query)


def start(site: Site, redirect_uri: str, language: str) -> tuple[Attempt, str]:
    """A new attempt and the provider's address to send the reader to."""
    config = sign_in_settings(site)
    if not config.oidc_enabled:
        raise failed(site, Code.SIGN_IN_UNAVAILABLE, "the site has no OpenID Connect provider configured")
    attempt = Attempt.new()
    return attempt, authorization_url(config, discover(site, config), attempt, redirect_uri, language)


def _exchange(site: Site, config: SignInSettings, discovery: Discovery, code: str, attempt: Attempt,
              redirect_uri: str) -> dict[str, Any]:  # fmt: skip
    """The token endpoint's answer for ``code``, authenticated as the site's client (RFC 6749 §2.3.1)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": attempt.verifier}  # fmt: skip
    headers = {}
    secret = config.oidc_client_secret
    if secret and ("client_secret_basic" in discovery.token_auth_methods or
                   "client_secret_post" not in discovery.token_auth_methods):  # fmt: skip
        pair = f"{urllib.parse.quote(config.oidc_client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form["client_id"] = config.oidc_client_id
        if secret:
            form["client_secret"] = secret
    try:
        answer = _request(discovery.token_endpoint, form, headers)
    except ValueError as error:
        raise failed(site, Code.SIGN_IN_FAILED, f"token exchange: {error}") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
        raise failed(site, Code.SIGN_IN_FAILED, "the token endpoint answered no id_token")
    return answer


def _keys(site: Site, discovery: Discovery, refresh: bool = False) -> dict[str, jwt.PyJWK]:
    """The provider's signing keys by `kid` ("" for a key without one), each bound to its one algorithm."""

    def load() -> dict[str, jwt.PyJWK]:
        document = _request(discovery.jwks_uri)
        found: dict[str, jwt.PyJWK] = {}
        for data in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(data, dict) or data.get("use", "sig") != "sig":
                continue
            algorithm = KEY_ALGORITHMS.get((str(data.get("kty")), str(data.get("crv", ""))))
            if algorithm is None or data.get("alg", algorithm) != algorithm:
                continue  # HMAC, RSA-OAEP, an unknown curve: never a way to accept an ID token
            try:
                found[str(data.get("kid", ""))] = jwt.PyJWK(data, algorithm)
            except jwt.PyJWKError:
                continue
        return found

    try:
        return _cached("jwks " + discovery.jwks_uri, load, refresh)  # type: ignore[no-any-return]
    except ValueError as error:
        raise failed(site, Code.SIGN_IN_FAILED, f"key set: {error}") from None


def _signing_key(site: Site, discovery: Discovery, token: str) -> jwt.PyJWK:
    try:
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
    except jwt.InvalidTokenError as error:
        raise failed(site, Code.TOKEN_INVALID, f"the ID token is malformed: {error}") from None
    keys = _keys(site, discovery)
    if kid not in keys and not (not kid and len(keys) == 1):
        keys = _keys(site, discovery, refresh=True)  # the provider may have rotated its keys since
    if kid in keys:
        return keys[kid]
    if not kid and len(keys) == 1:
        return next(iter(keys.values()))
    raise failed(site, Code.TOKEN_INVALID, f"no signing key {kid!r} in the provider's key set")


def verify(site: Site, config: SignInSettings, discovery: Discovery, token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token the provider signed for this client and this attempt; refused otherwise."""
    key = _signing_key(site, discovery, token)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm_name],
            audience=config.oidc_client_id,
            issuer=discovery.issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise failed(site, Code.TOKEN_EXPIRED, "the ID token has expired") from None
    except jwt.InvalidAudienceError:
        raise failed(site, Code.TOKEN_WRONG_AUDIENCE, "the ID token is for another client") from None
    except jwt.InvalidTokenError as error:
        raise failed(site, Code.TOKEN_INVALID, f"the ID token was refused: {error}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != config.oidc_client_id:
        raise failed(site, Code.TOKEN_WRONG_AUDIENCE, "the ID token's azp is not this client")
    if not isinstance(claims["iat"], int | float) or time.time() - claims["iat"] > MAX_AGE + LEEWAY:
        raise failed(site, Code.TOKEN_EXPIRED, "the ID token was issued too long ago")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise failed(site, Code.TOKEN_INVALID, "the ID token's nonce is not this attempt's")
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
        raise failed(site, Code.TOKEN_INVALID, "`sub` must be a string of 1 to 255 characters")
    return claims


def _userinfo(site: Site, discovery: Discovery, answer: dict[str, Any], subject: str) -> dict[str, Any]:
    """The userinfo endpoint's claims about ``subject``, for providers that put the profile there only; {} when
    there is none or it fails (the ID token alone signs the reader in)."""
    access_token = answer.get("access_token")
    if not discovery.userinfo_endpoint or not isinstance(access_token, str):
        return {}
    try:
        info = _request(discovery.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"})
    except ValueError as error:
        logger.warning("OIDC userinfo on site %s ignored: %s", site.slug, error)
        return {}
    if not isinstance(info, dict) or info.get("sub") != subject:
        logger.warning("OIDC userinfo on site %s ignored: it is about another subject", site.slug)
        return {}
    return info


def _claim(raw: dict[str, Any], path: str) -> object:
    """A claim by name, or by dotted path for nested ones (Keycloak's `realm_access.roles`)."""
    if path in raw:
        return raw[path]
    value: object = raw
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def claims_of(raw: dict[str, Any], roles_claim: str) -> Claims:
    def text(name: str, limit: int) -> str:
        value = raw.get(name)
        if not isinstance(value, str):
            return ""
        try:
            return clean_line(value, name)[:limit]
        except ProblemError:  # forbidden characters: the provider's value is dropped, not the sign-in
            return ""

    name = text("name", 64) or text("preferred_username", 64) or f"{text('given_name', 32)} {text('family_name', 31)}"
    email = text("email", 254) if raw.get("email_verified") is not False else ""
    roles = _claim(raw, roles_claim) if roles_claim else None
    return from_token(name.strip(), email, text("picture", 512), roles)


def complete(site: Site, code: str, attempt: Attempt, redirect_uri: str) -> tuple[Commenter, Opened]:
    """Exchange the code the provider sent back, verify its ID token and sign its reader in."""
    config = sign_in_settings(site)
    if not config.oidc_enabled:
        raise failed(site, Code.SIGN_IN_UNAVAILABLE, "the site has no OpenID Connect provider configured")
    discovery = discover(site, config)
    answer = _exchange(site, config, discovery, code, attempt, redirect_uri)
    claims = verify(site, config, discovery, answer["id_token"], attempt.nonce)
    profile = {**_userinfo(site, discovery, answer, claims["sub"]), **claims}
    logger.info("OIDC sign-in on site %s of subject %s", site.slug, claims["sub"])
    return sign_in(site, Provider.OIDC, claims["sub"], claims_of(profile, config.oidc_roles_claim))
