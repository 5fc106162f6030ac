"""Publisher single sign-on: the newsroom's backend signs a short-lived JWT for its signed-in reader, the loader
hands it to the app, and the app exchanges it here for a reader session.

The algorithm is never taken from the token: an HS256 secret admits HS256 only, a public key only the signature
kind of that key (RS256 for RSA, EdDSA for Ed25519), so `alg: none` and the RS256→HS256 confusion (a public key
used as an HMAC secret) fail as a bad signature. Required claims: `sub` (the publisher's stable user id), `aud`
(the site), `exp` (at most ``MAX_LIFETIME`` after `iat`) and `jti` (each token is exchanged once).
Optional: `name`, `email`, `picture`, `roles` (e.g. ["subscriber"]).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.db import IntegrityError, transaction
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line
from parvis.identity.accounts import Claims, from_token, sign_in
from parvis.identity.models import Provider, SeenToken, SignInSettings, sign_in_settings
from parvis.identity.sessions import Opened

logger = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 8192
MAX_LIFETIME = 600  # seconds: a token is minted for one page view, not kept
LEEWAY = 30  # seconds of clock difference between the publisher's servers and this one


def _key(config: SignInSettings) -> tuple[object, list[str]]:
    if config.sso_public_key:
        key = load_pem_public_key(config.sso_public_key.encode())
        if isinstance(key, rsa.RSAPublicKey):
            return key, ["RS256"]
        if isinstance(key, ed25519.Ed25519PublicKey):
            return key, ["EdDSA"]
        raise ProblemError(Code.SIGN_IN_UNAVAILABLE, "The site's SSO public key is neither RSA nor Ed25519.")
    return config.sso_secret, ["HS256"]


def verify(site: Site, token: str) -> dict[str, object]:
    """The claims of a token this site's publisher signed for this site, not yet used; refused otherwise."""
    config = sign_in_settings(site)
    if not config.sso_enabled:
        raise ProblemError(Code.SIGN_IN_UNAVAILABLE, "This site has no publisher sign-on configured.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _refused(site, Code.TOKEN_INVALID, "The token is too long.")
    key, algorithms = _key(config)
    try:
        claims: dict[str, object] = jwt.decode(
            token,
            key,  # type: ignore[arg-type]
            algorithms=algorithms,
            audience=config.audience,
            leeway=LEEWAY,
            options={"require": ["sub", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise _refused(site, Code.TOKEN_EXPIRED) from None
    except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as error:
        if isinstance(error, jwt.InvalidAudienceError):
            raise _refused(site, Code.TOKEN_WRONG_AUDIENCE) from None
        raise _refused(site, Code.TOKEN_INVALID, f"The token lacks the `{error.claim}` claim.") from None
    except jwt.InvalidTokenError as error:
        raise _refused(site, Code.TOKEN_INVALID, f"The token was refused: {error}.") from None
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise _refused(site, Code.TOKEN_INVALID, "`iat` and `exp` must be numbers.")
    if expires - issued > MAX_LIFETIME:
        raise _refused(site, Code.TOKEN_INVALID, f"The token lives longer than {MAX_LIFETIME} s.")
    for name in ("sub", "jti"):
        if not isinstance(claims[name], str) or not 0 < len(str(claims[name])) <= 128:
            raise _refused(site, Code.TOKEN_INVALID, f"`{name}` must be a string of 1 to 128 characters.")
    return claims


def exchange(site: Site, token: str) -> tuple[Commenter, Opened]:
    """Verify the token, spend its `jti`, and sign its reader in."""
    claims = verify(site, token)
    expires = datetime.fromtimestamp(float(claims["exp"]) + LEEWAY, tz=UTC)  # type: ignore[arg-type]
    SeenToken.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SeenToken.objects.create(site=site, jti=str(claims["jti"]), expires_at=expires)
    except IntegrityError:
        raise _refused(site, Code.TOKEN_REPLAYED) from None
    return sign_in(site, Provider.SSO, str(claims["sub"]), _claims(claims))


def _claims(raw: dict[str, object]) -> Claims:
    def text(name: str, limit: int) -> str:
        value = raw.get(name)
        return clean_line(value, name)[:limit] if isinstance(value, str) else ""

    return from_token(text("name", 64), text("email", 254), text("picture", 512), raw.get("roles"))


def _refused(site: Site, code: Code, detail: str | None = None) -> ProblemError:
    logger.warning("SSO token refused on site %s: %s%s", site.slug, code, f" ({detail})" if detail else "")
    return ProblemError(code, detail)
