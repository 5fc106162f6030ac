"""`parvis demo` gives a newcomer a moderator account and a queue to clear."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_demo_prints_a_moderator_account_that_opens_a_queue_of_held_comments(client: Any) -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    found = re.search(r"Moderator account: (\S+) / (\S+)", out.getvalue())
    assert found, out.getvalue()
    username, password = found.groups()
    answer = client.post("/moderate/login/", {"username": username, "password": password})
    assert answer.status_code == 302
    queue = client.get("/moderate/").content.decode()
    assert "06 12 34 56 78" in queue  # the held phone number, with its reason
    assert "Rothschild" in queue
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "password shown when it was created" in again.getvalue()
    assert password not in again.getvalue()
