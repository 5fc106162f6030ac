"""Moderators in the admin: each comment shows its decisions with the reasons marked in the text, the moderation
actions decide (audited, learnt from), and the policy is edited as versioned, validated configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parvis.comments.models import Comment, Status
from parvis.moderation.models import AuditEntry, Example, Policy


@pytest.mark.django_db
def test_a_comment_page_shows_why_it_was_held_with_the_words_marked(api: Any, admin_client: Any) -> None:
    posted = api.post_comment("Appelez-moi au 06 12 34 56 78 <b>ce soir</b>").json()["comment"]
    page = admin_client.get(f"/admin/comments/comment/{posted['id']}/change/").content.decode()
    assert '<mark title="personal_data.phone: The comment contains a phone number.">06 12 34 56 78</mark>' in page
    # What the reader wrote is shown as text, never as markup.
    assert "&lt;b&gt;ce soir&lt;/b&gt;" in page and "<b>ce soir</b>" not in page
    assert "hold" in page


@pytest.mark.django_db
def test_rejecting_from_the_list_records_the_category_and_teaches_the_site(api: Any, admin_client: Any) -> None:
    posted = api.post_comment("Un commentaire que la rédaction juge insultant.").json()["comment"]
    answer = admin_client.post(
        "/admin/comments/comment/",
        {"action": "moderate_reject_insult", "_selected_action": [posted["id"]]},
        follow=True,
    )
    assert answer.status_code == 200
    assert Comment.objects.get(pk=posted["id"]).status == Status.REJECTED
    example = Example.objects.get(comment_id=posted["id"])
    assert example.labels["insult"] == 1 and example.labels["spam"] == 0
    entry = AuditEntry.objects.get(action="comment.reject")
    assert entry.actor_label == "admin" and entry.details["category"] == "insult"


@pytest.mark.django_db
def test_the_policy_form_refuses_a_bad_config_and_saves_good_ones_as_new_versions(site: Any, admin_client: Any) -> None:
    bad = admin_client.post(
        "/admin/moderation/policy/add/",
        {"site": site.pk, "config": json.dumps({"categories": {"spam": {"threshold": 3}}}), "note": ""},
    )
    assert "categories.spam.threshold: must be a number between 0 and 1" in bad.content.decode()
    assert not Policy.objects.exists()
    for threshold in (0.8, 0.7):
        admin_client.post(
            "/admin/moderation/policy/add/",
            {"site": site.pk, "config": json.dumps({"categories": {"spam": {"threshold": threshold}}}), "note": "x"},
        )
    assert [p.config["categories"]["spam"]["threshold"] for p in Policy.objects.order_by("version")] == [0.8, 0.7]
