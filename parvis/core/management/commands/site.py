from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parvis.core.models import Site


class Command(BaseCommand):
    help = "Create or list sites (publishers)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--origin", action="append", default=[])
        create.add_argument("--language", default="fr")
        create.add_argument("--moderation", choices=["pre", "post"], default="post")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for site in Site.objects.all():
                origins = ", ".join(site.allowed_origins) or "-"
                self.stdout.write(f"{site.slug}\t{site.name}\t{site.moderation_mode}\t{origins}")
            return
        site = Site(
            slug=options["slug"],
            name=options["name"],
            allowed_origins=options["origin"],
            default_language=options["language"],
            moderation_mode=options["moderation"],
        )
        try:
            site.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        site.save()
        self.stdout.write(f'Created site {site.slug}. Embed with data-parvis-site="{site.slug}".')
