"""Shared by the importer tests: the real export files (read where they are, never copied) and the command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parvis.cli import build_parser
from parvis.importers.cli import run_export, run_import

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "import"
if not DATA.is_dir():  # the worktree layout (/work/wt/<name>) or the main checkout (/work/main)
    DATA = Path("/work/shared/data/import")


def data_file(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not on this machine")
    return path


def parvis(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run `parvis import|export ARGS` in this process (on the test database); (exit status, what it printed)."""
    options = build_parser().parse_args([str(arg) for arg in args])
    status = run_import(options) if options.command == "import" else run_export(options)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db: Any) -> Any:
    return lambda *args: parvis(capsys, *args)
