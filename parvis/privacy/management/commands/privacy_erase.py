"""`parvis privacy_erase --site SITE --email ADDRESS`: erase a reader's data for them (a request by post, say).

The same action as the reader's own link, recorded in the audit log as done from the command line.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parvis.core.models import Site
from parvis.privacy import actions


class Command(BaseCommand):
    help = "Erase what an email address left on a site (comments per the site's policy, subscriptions, votes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="the site's slug")
        parser.add_argument("--email", required=True, help="the reader's email address")
        parser.add_argument("--actor", default="cli", help="who asks, for the audit log (default: cli)")

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"no site {options['site']!r} (see `parvis site list`)")
        if not options["email"].strip():
            raise CommandError("--email is empty")
        result = actions.erase(site, options["email"], label=options["actor"][:150], via="cli")
        self.stdout.write(
            f"erased on {site.slug} ({result.policy}): {len(result.comments)} comment(s), "
            f"{result.subscriptions} subscription(s), {result.votes} vote(s), {result.identities} identity(ies)"
        )
