"""`parvis check`: the privacy settings are read lazily, so a malformed one is reported here, before serving."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from parvis import conf


@register()
def check_privacy_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    for name in ("PARVIS_RATELIMIT_PRIVACY_IP", "PARVIS_RATELIMIT_PRIVACY_EMAIL"):
        try:
            conf.rate(name)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="parvis.E060"))
    if conf.privacy_link_seconds() < 3600:
        errors.append(Error("PARVIS_PRIVACY_LINK_HOURS must be at least 1.", id="parvis.E061"))
    if conf.privacy_hash_days() < 1:
        errors.append(Error("PARVIS_PRIVACY_HASH_DAYS must be at least 1.", id="parvis.E062"))
    return errors
