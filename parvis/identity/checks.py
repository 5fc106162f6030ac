"""`parvis check`: the email link settings are read lazily, so a malformed one is reported here, before serving."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from parvis import conf


@register()
def check_email_link_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    for name in ("PARVIS_RATELIMIT_EMAIL_LINK_IP", "PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS"):
        try:
            conf.rate(name)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="parvis.E070"))
    if conf.email_link_seconds() < 60:
        errors.append(Error("PARVIS_EMAIL_LINK_MINUTES must be at least 1.", id="parvis.E071"))
    return errors
