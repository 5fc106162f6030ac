"""`parvis moderation apikey create|list|revoke`: keys for the Perspective-compatible endpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parvis.core.models import Site
from parvis.moderation import apikeys


class Command(BaseCommand):
    help = "Create, list or revoke API keys for the Perspective-compatible endpoint (/v1alpha1/comments:analyze)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a key; it is printed once and never stored.")
        create.add_argument("--site", required=True, help="The site's slug.")
        create.add_argument("--label", required=True, help="Who uses the key, e.g. 'Coral Talk'.")
        listing = sub.add_parser("list", help="The site's keys (prefix, label, created, last used, state).")
        listing.add_argument("--site", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a key by the prefix `list` shows.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            try:
                record = apikeys.revoke(options["prefix"], actor_label="cli")
            except apikeys.KeyNotFound as error:
                raise CommandError(f"No single key has the prefix {options['prefix']!r}.") from error
            self.stdout.write(f"Revoked {record.prefix} ({record.label}) of site {record.site.slug}.")
            return
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site {options['site']!r}.")
        if action == "create":
            if not options["label"].strip():
                raise CommandError("Give the key a label.")
            issued = apikeys.create(site, options["label"], actor_label="cli")
            self.stdout.write(issued.secret)
            self.stderr.write(
                f"Key {issued.record.prefix} for {site.slug}. Keep it now: Parvis stores only its hash.\n"
                "Perspective clients send it as ?key=... to /v1alpha1/comments:analyze."
            )
            return
        for record in apikeys.keys(site):
            used = f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never"
            state = "revoked" if record.revoked else "active"
            self.stdout.write(f"{record.prefix}\t{record.label}\t{record.created_at:%Y-%m-%d}\t{used}\t{state}")
