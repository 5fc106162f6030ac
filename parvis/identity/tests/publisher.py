"""A newsroom's backend as the tests play it: tokens minted with real keys (PyJWT, as docs/sso.md shows) and a
reader signed in through them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from conftest import ApiClient
from parvis.identity.models import SignInSettings

SECRET = "a-newsroom-secret-of-thirty-two-bytes!"


def mint(key: Any = SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    """A token for the site `news` valid 300 s; a claim given as None is left out."""
    now = int(time.time())
    payload = {"sub": "user-42", "aud": "news", "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}
    payload.update(claims)
    return jwt.encode({name: value for name, value in payload.items() if value is not None}, key, algorithm=algorithm)


def signed_in(api: ApiClient, sub: str, roles: list[str] | None = None) -> dict[str, str]:
    """The Authorization header of ``sub`` (named after it, with ``roles``) signed in on the api's site."""
    SignInSettings.objects.get_or_create(site=api.site, defaults={"sso_secret": SECRET})
    token = mint(sub=sub, aud=api.site.slug, name=sub.title(), roles=roles or [])
    answer = api.send("post", "/auth/sso", {"token": token})
    assert answer.status_code == 200, answer.json()
    return {"Authorization": f"Bearer {answer.json()['token']}"}
