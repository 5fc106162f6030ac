"""A capture SMTP server for development and the demo: every email it receives is written to a folder, and
/notifications/mailbox/ shows them, so a newcomer sees what readers would receive without a real mail server."""

from __future__ import annotations

import email
import os
import re
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from parvis import conf

MAX_SHOWN = 200
# The names Handler gives the files: nothing else is ever read from the folder (no path can be smuggled in).
_NAME = re.compile(r"^[0-9]{1,25}-[0-9]{1,10}-[0-9]{1,10}$")


def folder() -> Path | None:
    configured = conf.email_capture_dir()
    return Path(configured) if configured else None


@dataclass(frozen=True)
class Captured:
    name: str
    subject: str
    to: str
    date: str
    text: str
    html: str
    headers: list[tuple[str, str]]


def _read(path: Path) -> Captured:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Captured(
        name=path.stem,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        date=str(message.get("Date", "")),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
        headers=[(key, str(value)) for key, value in message.items()],
    )


def read_all(directory: Path) -> list[Captured]:
    """The captured emails, newest first."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), key=lambda path: path.name, reverse=True)[:MAX_SHOWN]
    return [_read(path) for path in files if _NAME.match(path.stem)]


def read_one(directory: Path, name: str) -> Captured | None:
    """One captured email by the name the mailbox page links to, or None."""
    if not _NAME.match(name):
        return None
    path = directory / f"{name}.eml"
    return _read(path) if path.is_file() else None


class Handler:
    """aiosmtpd handler: store each accepted message as <time>-<n>.eml."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count}.eml"
        partial = self.directory / (name + ".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.directory / name)
        return "250 OK"


def serve(host: str, port: int, directory: Path) -> None:
    """Run the capture server until interrupted."""
    from aiosmtpd.controller import Controller

    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Handler(directory), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    print(f"Capturing email on {host}:{port} into {directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
