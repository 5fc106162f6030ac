from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parvis import conf
from parvis.web import demo


class Command(BaseCommand):
    help = "Create the demo site and its seeded French article thread (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete and re-seed the demo thread")

    def handle(self, *args: Any, **options: Any) -> None:
        site, created = demo.seed(reset=options["reset"])
        state = f"seeded {created} comments" if created else "already seeded"
        self.stdout.write(f"Demo site '{site.slug}': {state}. Open {conf.public_url()}/")
        password = demo.ensure_moderator(site)
        login = f"{conf.public_url()}/moderate/login/"
        if password:
            self.stdout.write(f"Moderator account: {demo.MODERATOR} / {password} — the queue is at {login}")
        else:
            self.stdout.write(
                f"Moderator account: {demo.MODERATOR} (password shown when it was created; "
                f"`parvis manage changepassword {demo.MODERATOR}` sets a new one) — {login}"
            )
