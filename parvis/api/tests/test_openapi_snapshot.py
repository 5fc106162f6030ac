"""The OpenAPI schema is a contract with the widget and with publishers' own clients: it is pinned here.

Any change to a path, a parameter, a schema or a description shows up as a failing test, so it is made on
purpose and reviewed with the snapshot's diff. To accept a change, rewrite the snapshot and commit it:

    PARVIS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest parvis/api/tests/test_openapi_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

HERE = Path(__file__).resolve()
SNAPSHOT = HERE.with_name("openapi.snapshot.json")
UPDATE_COMMAND = f"PARVIS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest {HERE.relative_to(HERE.parents[3])}"
DIFF_LINES = 200


def _pretty(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_published_openapi_schema_matches_the_committed_snapshot(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    current = response.json()

    if os.environ.get("PARVIS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(_pretty(current), encoding="utf-8")
    if not SNAPSHOT.exists():
        pytest.fail(f"No OpenAPI snapshot at {SNAPSHOT}. Create it with:\n    {UPDATE_COMMAND}", pytrace=False)

    pinned = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    if current != pinned:
        diff = list(
            difflib.unified_diff(
                _pretty(pinned).splitlines(),
                _pretty(current).splitlines(),
                fromfile="openapi.snapshot.json (committed)",
                tofile="/api/v1/openapi.json (served now)",
                lineterm="",
            )
        )
        shown = "\n".join(diff[:DIFF_LINES]) + (
            f"\n... {len(diff) - DIFF_LINES} more lines" if len(diff) > DIFF_LINES else ""
        )
        pytest.fail(
            "The OpenAPI schema changed. If the change is intended, update the snapshot and commit it:\n"
            f"    {UPDATE_COMMAND}\n\n{shown}",
            pytrace=False,
        )


class _PageAssets(HTMLParser):
    """The scripts and stylesheets a page loads, and whether it has inline script the CSP would block."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"] or "")
        elif tag == "script" and values.get("type") != "application/json":
            self.inline_scripts += 1
        elif tag == "link" and values.get("rel") == "stylesheet":
            self.assets.append(values.get("href") or "")


def test_the_interactive_api_documentation_is_served_as_html(client: Client) -> None:
    assert client.get("/api/docs")["Location"] == "/api/v1/docs"
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<html" in page.lower()
    # The page renders the schema it is pointed at: the same document the snapshot pins.
    assert '"/api/v1/openapi.json"' in page


def test_the_api_documentation_loads_only_its_own_assets_so_the_page_policy_lets_it_run(client: Client) -> None:
    """Pages get `script-src 'self'; style-src 'self'` and no inline script: Swagger UI from a CDN or an
    inline bootstrap script would leave the documentation blank."""
    parser = _PageAssets()
    parser.feed(client.get("/api/v1/docs").content.decode())
    assert parser.inline_scripts == 0
    assert parser.assets, "the documentation page loads no script or stylesheet"
    for asset in parser.assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
