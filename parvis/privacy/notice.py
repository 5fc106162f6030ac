"""The site's privacy page, generated from the settings in force, so it cannot drift from what Parvis does.

Each entry says what is kept, for how long, and why; outside services are listed only when their key is set,
with exactly what each receives. The page is per site because the erasure policy is.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis import conf
from parvis.core.models import Site
from parvis.privacy.actions import erasure_policy
from parvis.privacy.models import Erasure


@dataclass(frozen=True)
class Entry:
    what: str
    kept: str


@dataclass(frozen=True)
class Service:
    name: str
    host: str
    receives: str


@dataclass(frozen=True)
class Notice:
    site: Site
    stored: list[Entry]
    services: list[Service]
    erasure: str
    erasure_text: str
    request_url: str


def _days(days: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def _hours(hours: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}


def _erasure_text(policy: str) -> str:
    if policy == Erasure.ANONYMISE:
        return _("Your comments stay in their discussions with their text, signed “[deleted]”.")
    if policy == Erasure.REDACT:
        return _("Your comments keep their place in their discussions, with “[deleted]” as author and text.")
    return _(
        "Your comments are deleted; one that has replies stays as “comment deleted” so the replies keep their place."
    )


def notice(site: Site) -> Notice:
    """The privacy notice of ``site`` in the active language."""
    hash_days = _days(conf.privacy_hash_days())
    stored = [
        Entry(
            _("Your comments: the text, the name you gave, your website if you gave one, the time and language."),
            _("Until you delete them, a moderator removes them, or you ask for erasure."),
        ),
        Entry(
            _(
                "Your email address, if you gave one: never shown to anyone, used for replies you asked for and to "
                "prove your requests for your data."
            ),
            _("Until you ask for erasure."),
        ),
        Entry(
            _(
                "Keyed hashes (not the addresses themselves) of the IP address, network and browser each comment, vote "
                "or report was sent from: to limit floods and spam and to enforce bans."
            ),
            _("%(days)s, then blanked.") % {"days": hash_days},
        ),
        Entry(
            _(
                "The moderation's decisions on each comment: the scores, the rule that applied and, for moderators, "
                "the words it matched."
            ),
            _("As long as the comment; the matched words go with its text when it is erased."),
        ),
        Entry(
            _("Email subscriptions: the address, the discussion, how often."),
            _("Until you unsubscribe or ask for erasure; unconfirmed requests for %(days)s.")
            % {"days": _days(conf.email_confirm_days())},
        ),
        Entry(
            _("Requests for your data: the address the link was sent to."),
            _("%(hours)s (the lifetime of the link).") % {"hours": _hours(conf.privacy_link_seconds() // 3600)},
        ),
    ]
    services = []
    if conf.akismet_key():
        services.append(Service(
            "Akismet", urlsplit(conf.akismet_url()).hostname or conf.akismet_url(),
            _("The text of each comment, its author's name, email and website, and the article's address (spam "
              "check). Never the IP address."),
        ))  # fmt: skip
    if conf.perspective_key():
        services.append(Service(
            "Perspective", urlsplit(conf.perspective_url()).hostname or conf.perspective_url(),
            _("The text of each comment the local checks are unsure about, and its language, asked not to store it. "
              "No name, email or address."),
        ))  # fmt: skip
    policy = erasure_policy(site)
    return Notice(
        site=site,
        stored=stored,
        services=services,
        erasure=policy,
        erasure_text=_erasure_text(policy),
        request_url=conf.public_url() + reverse("privacy:request", args=[site.slug]),
    )
