from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parvis.notifications import capture


class Command(BaseCommand):
    help = "Run a local SMTP server that stores every email in PARVIS_EMAIL_CAPTURE_DIR (development, demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = capture.folder()
        if directory is None:
            raise CommandError("set PARVIS_EMAIL_CAPTURE_DIR to the folder the emails go to")
        try:
            capture.serve(options["host"], options["port"], Path(directory))
        except ImportError as error:
            raise CommandError("the capture server needs aiosmtpd (a development dependency)") from error
        except OSError as error:  # most often: another capture server (a second `make demo`) holds the port
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {error.strerror}") from error
