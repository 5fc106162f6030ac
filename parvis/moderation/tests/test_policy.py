"""The moderation policy as configuration: validated with messages naming the field, versioned and audited, and
turned into the text readers see."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from parvis.moderation.models import Action, AuditEntry, Policy
from parvis.moderation.policy import PolicyConfig, PolicyError, active_policy, default_config, public_text, save_policy


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"categories": {"spam": {"threshold": 1.5}}}, "categories.spam.threshold"),
        ({"categories": {"spam": {"action": "publish"}}}, "categories.spam.action"),
        ({"categories": {"gossip": {}}}, "categories.gossip"),
        ({"categories": {"hate": {"threshold": 0.4, "review_at": 0.6}}}, "categories.hate.review_at"),
        ({"custom": [{"slug": "Bad Slug", "label": "x", "phrases": ["y"]}]}, "custom.0.slug"),
        ({"custom": [{"slug": "empty", "label": "Empty"}]}, "custom.0"),
        ({"custom": [{"slug": "spam", "label": "Again", "phrases": ["x"]}]}, "custom"),
        ({"trusted_after": -1}, "trusted_after"),
        ({"surge": {"comments": "many"}}, "surge.comments"),
        ({"velocity": {"per_day": 3}}, "velocity"),
        ([], "config"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_field(config: Any, field: str) -> None:
    with pytest.raises(PolicyError) as refused:
        PolicyConfig.parse(config)
    assert refused.value.field == field


def test_a_partial_policy_keeps_the_defaults_for_the_rest() -> None:
    config = PolicyConfig.parse({"categories": {"spam": {"threshold": 0.95}}, "hold_first_time": True})
    assert config.categories["spam"].threshold == 0.95
    assert config.categories["spam"].action == Action.SPAM
    assert config.categories["hate"] == default_config().categories["hate"]
    assert config.hold_first_time is True
    assert PolicyConfig.parse(config.to_json()) == config


@pytest.mark.django_db
def test_every_save_is_a_new_audited_version(site: Any) -> None:
    assert active_policy(site).version == 0
    save_policy(site, {"trusted_after": 5}, note="more caution")
    save_policy(site, {"trusted_after": 2})
    assert list(Policy.objects.filter(site=site).values_list("version", flat=True).order_by("version")) == [1, 2]
    assert active_policy(site).version == 2 and active_policy(site).config.trusted_after == 2
    assert AuditEntry.objects.filter(site=site, action="policy.saved").count() == 2


def test_the_public_text_follows_the_configuration_in_the_readers_language() -> None:
    config = PolicyConfig.parse(
        {"categories": {"links": {"enabled": True, "action": "hold"}}, "hold_first_time": True,
         "custom": [{"slug": "valeurs", "label": "Contraire à nos valeurs", "phrases": ["x"]}]}
    )  # fmt: skip
    english = public_text(config)
    assert "antisemitism" in english and "links" in english and "Contraire à nos valeurs" in english
    assert "first comment" in english
    with translation.override("fr"):
        french = public_text(config)
    assert "antisémitisme" in french and "des liens" in french
    assert "premier commentaire" in french
    assert "first comment" not in public_text(PolicyConfig.parse({}))


@pytest.mark.django_db
def test_the_site_rules_give_the_generated_policy_unless_the_newsroom_wrote_its_own(api: Any, site: Any) -> None:
    generated = api.get("").json()["policy"]["text"]
    assert "checked automatically on this server" in generated
    site.policy_text = "Notre charte : soyez courtois."
    site.save()
    assert api.get("").json()["policy"]["text"] == "Notre charte : soyez courtois."


@pytest.mark.django_db
def test_the_policy_command_shows_and_saves_versions(site: Any, tmp_path: Any, capsys: Any) -> None:
    import json

    from parvis.cli import main

    assert main(["moderation", "policy", "--site", site.slug]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 0
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"categories": {"spam": {"threshold": 2}}}')
    assert main(["moderation", "policy", "--site", site.slug, "--file", str(wrong)]) == 2
    assert "categories.spam.threshold" in capsys.readouterr().err
    right = tmp_path / "right.json"
    right.write_text('{"hold_first_time": true}')
    assert main(["moderation", "policy", "--site", site.slug, "--file", str(right)]) == 0
    assert active_policy(site).config.hold_first_time is True
    assert AuditEntry.objects.get(site=site, action="policy.saved").details["note"] == "from right.json"
