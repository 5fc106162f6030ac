"""The `parvis` command as an operator runs it, in a subprocess against a throw-away database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PARVIS = str(Path(sys.executable).with_name("parvis"))
GOOD_SECRET = "x7Gq2LrV9pZs4NwT1kYb8MhC3dJf6QaE0uXo5RiWlSgPnHtKzBvDcAeFmU"


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `parvis ARGS` with a clean environment plus ``env``; a value of "" removes that variable."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PARVIS_", "DJANGO_"))}
    environment.update({"PARVIS_DATA_DIR": str(tmp_path), "PARVIS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"})
    environment.update(env)
    environment = {key: value for key, value in environment.items() if value != ""}
    return subprocess.run([PARVIS, *args], env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_production_refuses_to_start_without_a_secret_and_says_what_to_set(tmp_path):
    result = run(tmp_path, "serve", "--port", "1")
    assert result.returncode != 0
    assert "PARVIS_SECRET_KEY" in result.stderr
    assert "refusing to start" in result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = run(tmp_path, "serve", "--port", "1", PARVIS_SECRET_KEY=GOOD_SECRET, PARVIS_DEBUG="true")
    assert result.returncode != 0
    assert "PARVIS_DEBUG" in result.stderr


def test_deploy_check_passes_with_a_real_secret(tmp_path):
    result = run(tmp_path, "check", "--deploy", PARVIS_SECRET_KEY=GOOD_SECRET)
    assert result.returncode == 0, result.stderr


def test_a_typo_in_configuration_stops_the_command_with_the_variables_name(tmp_path):
    result = run(tmp_path, "check", PARVIS_SECRET_KEY=GOOD_SECRET, PARVIS_TRUSTED_PROXIES="one")
    assert result.returncode != 0
    assert "PARVIS_TRUSTED_PROXIES must be an integer" in result.stderr


def test_sites_are_created_and_listed(tmp_path):
    assert run(tmp_path, "--dev", "migrate").returncode == 0
    created = run(
        tmp_path, "--dev", "site", "create", "lemonde", "--name", "Le Monde", "--origin", "https://www.lemonde.example"
    )
    assert created.returncode == 0, created.stderr
    listed = run(tmp_path, "--dev", "site", "list")
    assert "lemonde\tLe Monde\tpost\thttps://www.lemonde.example" in listed.stdout
    refused = run(tmp_path, "--dev", "site", "create", "bad", "--name", "Bad", "--origin", "not an origin")
    assert refused.returncode != 0
    assert "not an origin" in refused.stderr


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://host/file"])
def test_an_unsupported_database_url_is_explained(tmp_path, url):
    result = run(tmp_path, "--dev", "check", PARVIS_DATABASE_URL=url)
    assert result.returncode != 0
    assert "PARVIS_DATABASE_URL" in result.stderr


def test_one_settings_file_configures_parvis_and_the_environment_overrides_it(tmp_path):
    config = tmp_path / "parvis.toml"
    config.write_text(
        f'secret_key = "{GOOD_SECRET}"\ndatabase_url = "sqlite:///{tmp_path}/from-file.sqlite3"\ntrusted_proxies = 1\n'
    )
    environment = {"PARVIS_CONFIG": str(config)}
    assert run(tmp_path, "check", "--deploy", **environment).returncode == 0
    assert (
        run(tmp_path, "migrate", **environment, PARVIS_DATABASE_URL=f"sqlite:///{tmp_path}/env.sqlite3").returncode == 0
    )
    assert (tmp_path / "env.sqlite3").exists() and not (tmp_path / "from-file.sqlite3").exists()
    broken = tmp_path / "broken.toml"
    broken.write_text("secret_key = ")
    result = run(tmp_path, "check", PARVIS_CONFIG=str(broken))
    assert result.returncode != 0 and "is not valid TOML" in result.stderr
