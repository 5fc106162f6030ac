"""Every model is in the admin, and its pages open for an administrator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["core/site", "threads/thread", "comments/comment", "comments/vote", "comments/flag", "accounts/commenter"],
)
def test_admin_lists_and_add_pages_open(client, api, path):
    api.post_comment("Pour l'admin")
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    assert client.get(f"/admin/{path}/").status_code == 200
    assert client.get(f"/admin/{path}/add/").status_code == 200


def test_an_invalid_origin_is_refused_in_the_admin(client, site):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    response = client.post(
        f"/admin/core/site/{site.pk}/change/",
        {
            "slug": site.slug,
            "name": site.name,
            "allowed_origins": '["not an origin"]',
            "default_language": "fr",
            "moderation_mode": "post",
            "edit_window": 900,
            "max_comment_length": 5000,
            "guest_email": "optional",
        },
    )
    assert response.status_code == 200
    assert "not an origin" in response.content.decode()
