"""`parvis privacy_erase` and the privacy settings' checks, as an operator runs them (a subprocess, a throw-away
database)."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run


def test_privacy_erase_runs_from_the_parvis_command(tmp_path: Path) -> None:
    assert run(tmp_path, "--dev", "migrate").returncode == 0
    assert run(tmp_path, "--dev", "site", "create", "quotidien", "--name", "Le Quotidien").returncode == 0
    done = run(tmp_path, "--dev", "privacy_erase", "--site", "quotidien", "--email", "lea@example.org")
    assert done.returncode == 0, done.stderr
    assert "erased on quotidien (delete): 0 comment(s)" in done.stdout
    unknown = run(tmp_path, "--dev", "privacy_erase", "--site", "nowhere", "--email", "lea@example.org")
    assert unknown.returncode == 2 and "no site 'nowhere'" in unknown.stderr


def test_a_malformed_privacy_rate_limit_is_reported_by_check(tmp_path: Path) -> None:
    result = run(tmp_path, "--dev", "check", PARVIS_RATELIMIT_PRIVACY_EMAIL="three per hour")
    assert result.returncode != 0
    assert "PARVIS_RATELIMIT_PRIVACY_EMAIL must look like '5/60'" in result.stderr
