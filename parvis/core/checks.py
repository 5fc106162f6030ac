"""System checks: configuration errors reported by `parvis check` and before `parvis serve` starts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from lingua import IsoCode639_1

from parvis import conf

MIN_SECRET_LENGTH = 50
_GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    secret = str(settings.SECRET_KEY or "")
    if len(secret) < MIN_SECRET_LENGTH or secret.startswith("django-insecure") or "not-for-production" in secret:
        errors.append(
            Error(
                "PARVIS_SECRET_KEY is missing, too short or a known test value.",
                hint=f"Set PARVIS_SECRET_KEY to {MIN_SECRET_LENGTH}+ random characters, e.g. the output of {_GENERATE}",
                id="parvis.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "PARVIS_DEBUG is on: error pages would show code and settings to anyone.",
                hint="Unset PARVIS_DEBUG (or set PARVIS_DEBUG=false) in production.",
                id="parvis.E002",
            )
        )
    return errors


@register()
def check_configuration(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    for name in ("PARVIS_RATELIMIT_COMMENT_IP", "PARVIS_RATELIMIT_COMMENT_THREAD", "PARVIS_RATELIMIT_ACTION_IP"):
        try:
            conf.rate(name)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="parvis.E010"))
    languages = conf.languages()
    if len(languages) < 2:
        errors.append(Error("PARVIS_LANGUAGES needs at least two languages.", id="parvis.E011"))
    for code in languages:
        try:
            IsoCode639_1.from_str(code)
        except ValueError:
            errors.append(Error(f"PARVIS_LANGUAGES: {code!r} is not an ISO 639-1 code lingua knows.", id="parvis.E012"))
    if not str(conf.public_url()).startswith(("http://", "https://")):
        errors.append(Error("PARVIS_PUBLIC_URL must start with http:// or https://.", id="parvis.E013"))
    return errors
