"""Decisions taken from the queue go through moderation's one action (status, decision, audit entry, example), are
refused when the comment was decided since the moderator saw it, and can be undone."""

from __future__ import annotations

from typing import Any

import pytest

from parvis.comments.models import Status
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.moderation.models import AuditEntry, Decision, Example, Stage

HX = {"HX-Request": "true"}


def latest(comment: Any) -> int:
    return int(comment.decisions.order_by("-created_at", "-pk").first().pk)


@pytest.mark.django_db
def test_approving_publishes_at_once_and_is_recorded_by_the_action(moderator: Any, site: Any, api: Any) -> None:
    comment = held(site, "Un avis tranché mais correct.")
    client = signed_in(moderator)
    answer = client.post(
        f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": latest(comment)}, headers=HX
    )
    assert answer.status_code == 200
    assert f'id="item-{comment.pk}"' in answer.content.decode() and 'data-status="approved"' in answer.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    decision = Decision.objects.filter(comment=comment, stage=Stage.MODERATOR).get()
    assert decision.action == "publish" and decision.decided_by == moderator
    entry = AuditEntry.objects.get(comment=comment, action="comment.publish")
    assert entry.actor == moderator and entry.actor_label == "mona"
    assert Example.objects.get(comment=comment).labels["insult"] == 0
    # Readers see it in the public thread straight away.
    page = api.thread().json()
    assert page["thread"]["count"] == 1
    assert [(c["id"], c["status"]) for c in page["comments"]] == [(comment.pk, "approved")]


@pytest.mark.django_db
def test_rejecting_with_a_reason_records_the_category_and_teaches(moderator: Any, site: Any) -> None:
    comment = held(site, "Espèce de crétin.")
    answer = signed_in(moderator).post(
        f"/moderate/comments/{comment.pk}/decide", {"category": "insult", "seen": latest(comment)}, headers=HX
    )
    assert answer.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert AuditEntry.objects.get(comment=comment, action="comment.reject").details["category"] == "insult"
    assert Example.objects.get(comment=comment).labels["insult"] == 1


@pytest.mark.django_db
def test_spam_and_hold(moderator: Any, site: Any) -> None:
    first, second = held(site, "Achetez ici."), held(site, "À revoir.", status=Status.APPROVED)
    client = signed_in(moderator)
    client.post(f"/moderate/comments/{first.pk}/decide", {"action": "spam", "seen": latest(first)}, headers=HX)
    client.post(f"/moderate/comments/{second.pk}/decide", {"action": "hold", "seen": latest(second)}, headers=HX)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SPAM, Status.PENDING)


@pytest.mark.django_db
def test_an_unknown_action_or_category_is_a_400_not_a_500(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    client = signed_in(moderator)
    url = f"/moderate/comments/{comment.pk}/decide"
    assert client.post(url, {"action": "delete", "seen": latest(comment)}, headers=HX).status_code == 400
    assert client.post(url, {"action": "publish", "seen": "x"}, headers=HX).status_code == 400
    assert client.post(url, {"category": "nonsense", "seen": latest(comment)}, headers=HX).status_code == 422
    assert client.get(url).status_code == 405
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.django_db
def test_a_stale_decision_is_refused_with_409_and_applied_once(
    moderator: Any, site: Any, django_user_model: Any
) -> None:
    from parvis.dashboard.models import Membership, Role

    colleague = django_user_model.objects.create_user(username="colette", password="x")
    Membership.objects.create(user=colleague, site=site, role=Role.MODERATOR)
    comment = held(site, "Deux modérateurs le voient.")
    seen = latest(comment)
    first = signed_in(colleague).post(
        f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": seen}, headers=HX
    )
    assert first.status_code == 200
    second = signed_in(moderator).post(
        f"/moderate/comments/{comment.pk}/decide", {"category": "insult", "seen": seen}, headers=HX
    )
    assert second.status_code == 409
    assert "Already decided by colette" in second.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert Decision.objects.filter(comment=comment, stage=Stage.MODERATOR).count() == 1
    assert AuditEntry.objects.filter(comment=comment).count() == 1
    # The same form sent twice (a double key press) is applied once too.
    again = signed_in(colleague).post(
        f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": seen}, headers=HX
    )
    assert again.status_code == 409
    assert Decision.objects.filter(comment=comment, stage=Stage.MODERATOR).count() == 1


@pytest.mark.django_db
def test_undo_restores_the_previous_status_through_the_action(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire retenu.")
    client = signed_in(moderator)
    client.post(f"/moderate/comments/{comment.pk}/decide", {"category": "insult", "seen": latest(comment)}, headers=HX)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    answer = client.post("/moderate/undo", headers=HX)
    assert answer.status_code == 200
    assert answer["HX-Retarget"] == f"#item-{comment.pk}"
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    undo = Decision.objects.filter(comment=comment, stage=Stage.MODERATOR).order_by("-pk").first()
    assert undo is not None and undo.action == "hold" and undo.note.startswith("undo of decision #")
    assert AuditEntry.objects.filter(comment=comment, action="comment.hold").get().details["note"].startswith("undo")
    # Nothing left to undo.
    assert client.post("/moderate/undo", headers=HX).status_code == 409


@pytest.mark.django_db
def test_undo_of_an_approval_puts_a_rejected_comment_back_with_its_reason(moderator: Any, site: Any) -> None:
    comment = held(site, "Rejeté par le filtre.", status=Status.REJECTED, categories=["insult"])
    client = signed_in(moderator)
    client.post(f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": latest(comment)}, headers=HX)
    client.post("/moderate/undo", headers=HX)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert AuditEntry.objects.filter(comment=comment, action="comment.reject").get().details["category"] == "insult"


@pytest.mark.django_db
def test_undo_does_not_overwrite_a_colleagues_later_decision(moderator: Any, site: Any, django_user_model: Any) -> None:
    from parvis.dashboard.models import Membership, Role

    colleague = django_user_model.objects.create_user(username="colette", password="x")
    Membership.objects.create(user=colleague, site=site, role=Role.MODERATOR)
    comment = held(site, "Un commentaire.")
    mine = signed_in(moderator)
    mine.post(f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": latest(comment)}, headers=HX)
    signed_in(colleague).post(
        f"/moderate/comments/{comment.pk}/decide", {"action": "spam", "seen": latest(comment)}, headers=HX
    )
    answer = mine.post("/moderate/undo", headers=HX)
    assert answer.status_code == 409 and "colette" in answer.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


@pytest.mark.django_db
def test_without_javascript_a_decision_returns_to_the_queue(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    answer = signed_in(moderator).post(
        f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": latest(comment)}
    )
    assert answer.status_code == 303 and answer["Location"] == "/moderate/"
