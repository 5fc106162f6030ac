"""`parvis serve` in development with PARVIS_EMAIL_CAPTURE_DIR set starts the capture SMTP server (what
`make demo` relies on), so the emails readers would receive land in that folder and on /notifications/mailbox/;
`--no-mailcapture` leaves the port to another server. Real processes: `parvis serve`, its task worker, the
capture server, and for the second test the SMTP server of tests/smtp.py."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from parvis.web.demo import SITE_SLUG
from tests.servers import ParvisServer, ServerError, free_port, group_commands
from tests.smtp import SmtpServer

ADDRESS = "newcomer@example.org"


def ask_for_a_subscription(server: ParvisServer) -> None:
    answer = httpx.post(
        f"{server.url}/api/v1/sites/{SITE_SLUG}/subscriptions",
        json={"email": ADDRESS, "kind": "thread", "thread": {"key": "capture-test"}},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text


def wait_for_files(folder: Path, timeout: float = 120) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml"))
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no email captured in {folder} within {timeout:.0f} s")


def test_serve_in_development_captures_the_emails_and_shows_them_at_the_mailbox(tmp_path: Path, migrated: Path) -> None:
    mailbox = tmp_path / "mailbox"
    settings = {
        "PARVIS_EMAIL_CAPTURE_DIR": str(mailbox),
        "PARVIS_EMAIL_HOST": "127.0.0.1",
        "PARVIS_EMAIL_PORT": str(free_port()),
        # The worker may try before the capture server listens: the retry comes a second later.
        "PARVIS_EMAIL_RETRY_SECONDS": "1",
    }
    with ParvisServer(tmp_path / "data", env=settings) as server:
        server.copy_database(migrated)
        server.cli("demo")
        server.start()
        assert any(" manage mailcapture " in command for command in group_commands(server.process.pid))  # type: ignore[union-attr]
        ask_for_a_subscription(server)
        (captured,) = wait_for_files(mailbox)
        assert ADDRESS in captured.read_text(errors="replace")
        page = httpx.get(f"{server.url}/notifications/mailbox/", timeout=30)
        assert page.status_code == 200
        assert ADDRESS in page.text
        assert "/notifications/confirm/" in page.text


def test_no_mailcapture_leaves_the_port_to_the_operator_s_own_smtp_server(tmp_path: Path, migrated: Path) -> None:
    mailbox = tmp_path / "mailbox"
    with SmtpServer() as smtp:
        settings = {
            "PARVIS_EMAIL_CAPTURE_DIR": str(mailbox),
            "PARVIS_EMAIL_HOST": "127.0.0.1",
            "PARVIS_EMAIL_PORT": str(smtp.port),
        }
        with ParvisServer(tmp_path / "data", env=settings) as server:
            server.copy_database(migrated)
            server.cli("demo")
            server.start(extra_args=["--no-mailcapture"])
            # The capture server would have been started before the web server answered.
            commands = group_commands(server.process.pid)  # type: ignore[union-attr]
            assert any(command.endswith(" worker") for command in commands), commands
            assert not any(" manage mailcapture " in command for command in commands), commands
            ask_for_a_subscription(server)
            (confirmation,) = smtp.wait_for(1, timeout=120)
            assert ADDRESS in str(confirmation["To"])
    assert list(mailbox.glob("*.eml")) == []


def test_a_capture_server_on_a_port_already_taken_says_so(tmp_path: Path) -> None:
    with SmtpServer() as taken:
        server = ParvisServer(tmp_path / "data", env={"PARVIS_EMAIL_CAPTURE_DIR": str(tmp_path / "mailbox")})
        with pytest.raises(ServerError, match=f"cannot listen on 127.0.0.1:{taken.port}"):
            server.cli("manage", "mailcapture", "--port", str(taken.port))
