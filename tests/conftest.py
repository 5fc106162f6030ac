"""What the end-to-end modules share: one Chromium per browser module (their servers differ, the browser does not)
and one migrated SQLite database per test run that each server starts from a copy of."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import chromium
from tests.servers import migrated_sqlite


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database `parvis migrate` made, for ``ParvisServer.copy_database``: made once per run, the pytest-xdist
    workers sharing it (their temporary folders are in the run's own folder), since migrating takes seconds."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent
    return migrated_sqlite(run_folder)
