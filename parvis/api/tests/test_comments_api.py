from __future__ import annotations

import pytest

from parvis.comments.models import Comment

pytestmark = pytest.mark.django_db


def test_a_guest_comment_is_stored_and_shown_in_its_thread(api):
    created = api.post_comment("Bonjour *tout le monde*", name="Zoé")
    assert created.status_code == 201
    body = created.json()
    assert body["comment"]["html"] == '<p dir="auto">Bonjour <em>tout le monde</em></p>'
    assert body["edit_token"]
    page = api.thread().json()
    assert page["thread"]["count"] == 1
    assert [c["author"]["name"] for c in page["comments"]] == ["Zoé"]
    assert Comment.objects.get().body_markdown == "Bonjour *tout le monde*"
