"""Guest identities: grouped only on an exact name and email, never by pattern."""

from __future__ import annotations

import pytest

from parvis.accounts.models import Commenter

pytestmark = pytest.mark.django_db


def test_same_name_and_email_group_a_guests_comments(api):
    api.post_comment("Un", author={"name": "Léa", "email": "lea@example.org"})
    api.post_comment("Deux", key="article-2", author={"name": "Léa", "email": "lea@EXAMPLE.org"})
    assert Commenter.objects.count() == 1


def test_wildcard_characters_in_an_email_match_nothing_else(api):
    api.post_comment("Un", author={"name": "Léa", "email": "axb@example.org"})
    api.post_comment("Deux", key="article-2", author={"name": "Léa", "email": "a_b@example.org"})
    api.post_comment("Trois", key="article-3", author={"name": "Léa", "email": "a%b@example.org"})
    assert Commenter.objects.count() == 3


def test_guests_without_email_are_not_merged(api):
    api.post_comment("Un", author={"name": "Léa"})
    api.post_comment("Deux", key="article-2", author={"name": "Léa"})
    assert Commenter.objects.count() == 2
