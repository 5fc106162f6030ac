"""System checks of the email settings (`parvis check`, and before `parvis serve` starts).

A typo here would not fail loudly at sending time: an unknown PARVIS_EMAIL_SECURITY used to mean plain SMTP,
with the password sent in clear. So every such value is checked once, at start.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from parvis import conf

RATES = ("PARVIS_RATELIMIT_EMAIL_RECIPIENT", "PARVIS_RATELIMIT_SUBSCRIBE_IP", "PARVIS_RATELIMIT_SUBSCRIBE_EMAIL")


@register("notifications")
def check_email_settings(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    smtp = conf.smtp()
    if smtp.security not in conf.EMAIL_SECURITY:
        problems.append(
            Error(
                f"PARVIS_EMAIL_SECURITY is {smtp.security!r}.",
                hint="Use none (a local MTA), starttls (usually port 587) or tls (implicit TLS, usually port 465).",
                id="parvis.E050",
            )
        )
    elif smtp.user and smtp.security == "none":
        problems.append(
            Error(
                "PARVIS_EMAIL_USER is set but PARVIS_EMAIL_SECURITY is none: the password would cross the network "
                "in clear.",
                hint="Set PARVIS_EMAIL_SECURITY to starttls or tls.",
                id="parvis.E051",
            )
        )
    _name, sender = parseaddr(conf.email_from())
    if "@" not in sender:
        problems.append(
            Error(
                f"PARVIS_EMAIL_FROM ({conf.email_from()!r}) holds no address.",
                hint="For example: PARVIS_EMAIL_FROM='Comments <comments@example-news.fr>'.",
                id="parvis.E052",
            )
        )
    for name in RATES:
        try:
            conf.rate(name)
        except ImproperlyConfigured as error:
            problems.append(Error(str(error), id="parvis.E053"))
    if not 0 <= conf.email_digest_hour() <= 23:
        problems.append(Error("PARVIS_EMAIL_DIGEST_HOUR must be an hour from 0 to 23 (UTC).", id="parvis.E054"))
    if conf.email_lease_seconds() <= smtp.timeout:
        problems.append(
            Warning(
                "PARVIS_EMAIL_LEASE_SECONDS is not above PARVIS_EMAIL_TIMEOUT: an email still being sent could be "
                "taken back and sent twice.",
                id="parvis.W055",
            )
        )
    return problems
