"""Saving a policy records, in the audit log, each setting it changed with its value before and after."""

from __future__ import annotations

from typing import Any

import pytest

from parvis.moderation.models import AuditEntry
from parvis.moderation.policy import save_policy


@pytest.mark.django_db
def test_a_policy_save_records_each_changed_setting_before_and_after(site: Any, django_user_model: Any) -> None:
    owner = django_user_model.objects.create_user(username="olga", password="x")
    save_policy(site, {"trusted_after": 5, "surge": {"enabled": False}}, actor=owner, note="prudence")
    first = AuditEntry.objects.get(action="policy.saved")
    assert first.actor == owner and first.details["version"] == 1 and first.details["note"] == "prudence"
    # Against the defaults the site had before its first save.
    assert first.details["changes"] == {
        "surge.enabled": {"before": True, "after": False},
        "trusted_after": {"before": 3, "after": 5},
    }
    save_policy(site, {"trusted_after": 5, "surge": {"enabled": False}, "categories": {"insult": {"threshold": 0.6}}})
    second = AuditEntry.objects.filter(action="policy.saved").latest("pk")
    changes = second.details["changes"]
    assert list(changes) == ["categories.insult.threshold"] and changes["categories.insult.threshold"]["after"] == 0.6
    # Saving the same configuration again is a new version that changes nothing.
    save_policy(site, {"trusted_after": 5, "surge": {"enabled": False}, "categories": {"insult": {"threshold": 0.6}}})
    assert AuditEntry.objects.filter(action="policy.saved").latest("pk").details["changes"] == {}


@pytest.mark.django_db
def test_the_audit_log_shows_a_policy_change_as_before_and_after(site: Any, django_user_model: Any) -> None:
    from parvis.dashboard.models import Membership, Role
    from parvis.dashboard.tests.conftest import signed_in

    owner = django_user_model.objects.create_user(username="olga", password="x")
    Membership.objects.create(user=owner, site=site, role=Role.OWNER)
    save_policy(site, {"trusted_after": 5}, actor=owner)
    html = signed_in(owner).get("/moderate/audit/", {"action": "policy"}).content.decode()
    assert "<dt>trusted_after</dt>" in html and '<del dir="auto">3</del> → <ins dir="auto">5</ins>' in html
