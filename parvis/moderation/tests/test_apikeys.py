"""API keys for the Perspective-compatible endpoint: shown once, stored as a hash, revoked by prefix."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from parvis.core.models import Site
from parvis.moderation import apikeys
from parvis.moderation.models import ApiKey, AuditEntry


def test_a_new_key_is_returned_once_and_only_its_hash_is_stored(site: Site) -> None:
    issued = apikeys.create(site, "Coral Talk")
    stored = ApiKey.objects.get()
    assert issued.secret.startswith(apikeys.MARKER)
    assert issued.secret not in {stored.key_hash, stored.prefix, stored.label}
    assert stored.key_hash == apikeys.digest(issued.secret)
    assert issued.secret.removeprefix(apikeys.MARKER).startswith(stored.prefix)
    assert AuditEntry.objects.get().action == "apikey.created"


def test_a_key_verifies_until_it_is_revoked(site: Site) -> None:
    issued = apikeys.create(site, "Comentario")
    found = apikeys.verify(issued.secret)
    assert found is not None
    assert found.site == site
    apikeys.revoke(issued.record.prefix)
    assert apikeys.verify(issued.secret) is None
    assert [entry.action for entry in AuditEntry.objects.order_by("pk")] == ["apikey.created", "apikey.revoked"]


@pytest.mark.parametrize("secret", ["", "pvk_", "pvk_wrong", "not-a-parvis-key", "pvk_" + "x" * 500])
def test_anything_else_does_not_verify(site: Site, secret: str) -> None:
    apikeys.create(site, "Coral Talk")
    assert apikeys.verify(secret) is None


def test_revoking_an_unknown_prefix_says_so(site: Site) -> None:
    with pytest.raises(apikeys.KeyNotFound):
        apikeys.revoke("nothing")


def test_the_command_creates_lists_and_revokes_keys(site: Site) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("moderation_apikey", "create", "--site", site.slug, "--label", "Coral Talk", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert apikeys.verify(secret) is not None
    assert "only its hash" in err.getvalue()
    prefix = ApiKey.objects.get().prefix

    out = io.StringIO()
    call_command("moderation_apikey", "list", "--site", site.slug, stdout=out)
    assert out.getvalue().split("\t")[:2] == [prefix, "Coral Talk"]
    assert out.getvalue().rstrip().endswith("active")
    assert secret not in out.getvalue()

    out = io.StringIO()
    call_command("moderation_apikey", "revoke", prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    assert apikeys.verify(secret) is None


def test_the_command_refuses_an_unknown_site_or_prefix(site: Site) -> None:
    with pytest.raises(CommandError):
        call_command("moderation_apikey", "create", "--site", "nope", "--label", "x")
    with pytest.raises(CommandError):
        call_command("moderation_apikey", "revoke", "nothing")


def test_no_key_prefix_starts_with_a_dash_that_the_revoke_command_would_read_as_an_option(site: Site) -> None:
    prefixes = {apikeys.create(site, f"key {number}").record.prefix for number in range(200)}
    assert len(prefixes) == 200 and not any(prefix.startswith("-") for prefix in prefixes)
