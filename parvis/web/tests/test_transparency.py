"""The public monthly transparency report counts what readers sent and what happened to it, from the decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from parvis.comments.models import Comment
from parvis.moderation.actions import appeal, moderate
from parvis.moderation.models import Action, Appeal
from parvis.moderation.transparency import report


def _post(api: Any, body: str, name: str) -> dict[str, Any]:
    answer = api.post_comment(body, name=name)
    assert answer.status_code == 201
    return answer.json()


@pytest.mark.django_db
def test_the_report_counts_received_published_removed_by_rule_and_appeals(api: Any, site: Any, client: Any) -> None:
    _post(api, "Merci pour cet article sur les transports.", "A")
    held = _post(api, "Mon numéro : 06 12 34 56 78", "B")
    removed = _post(api, "Un avis que la rédaction jugera insultant.", "C")
    spam = _post(api, "Encore un message publicitaire pour la démonstration.", "D")
    moderate(Comment.objects.get(pk=removed["comment"]["id"]), Action.REJECT, category="insult")
    moderate(Comment.objects.get(pk=spam["comment"]["id"]), Action.SPAM)
    appeal(site, removed["comment"]["id"], removed["edit_token"], "Ce n'était pas une insulte.")
    appeal(site, held["comment"]["id"], held["edit_token"], "")
    moderate(Comment.objects.get(pk=removed["comment"]["id"]), Action.PUBLISH)

    figures = report(site, timezone.now().date())
    assert (figures.received, figures.published, figures.waiting, figures.removed_total) == (4, 2, 1, 1)
    assert figures.removed == [("spam or advertising", 0, 1)]
    assert (figures.appeals, figures.appeals_reinstated, figures.appeals_open) == (2, 1, 1)
    assert Appeal.objects.count() == 2

    page = client.get(f"/t/{site.slug}/transparency/", {"month": timezone.now().strftime("%Y-%m")})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Transparency report — News Example" in text
    assert "spam or advertising" in text


@pytest.mark.django_db
def test_comments_of_another_month_are_not_counted_and_a_bad_month_is_refused(api: Any, site: Any, client: Any) -> None:
    _post(api, "Un commentaire d'octobre sur le budget.", "A")
    Comment.objects.update(created_at=datetime(2026, 10, 15, tzinfo=UTC))
    assert report(site, datetime(2026, 10, 1).date()).received == 1
    assert report(site, datetime(2026, 9, 1).date()).received == 0
    assert client.get(f"/t/{site.slug}/transparency/", {"month": "2026-13"}).status_code == 422
    assert client.get("/t/nowhere/transparency/").status_code == 404


@pytest.mark.django_db
def test_the_page_lists_removals_per_rule_and_each_appeal_outcome(api: Any, site: Any, client: Any) -> None:
    kept = _post(api, "Mon numéro : 06 12 34 56 78", "A")
    back = _post(api, "Un avis que la rédaction jugera insultant.", "B")
    waiting = _post(api, "Mon autre numéro : 06 98 76 54 32", "C")
    plain = _post(api, "Un commentaire retiré sans motif.", "D")
    moderate(Comment.objects.get(pk=back["comment"]["id"]), Action.REJECT, category="insult")
    moderate(Comment.objects.get(pk=plain["comment"]["id"]), Action.REJECT)
    for posted in (kept, back, waiting):
        appeal(site, posted["comment"]["id"], posted["edit_token"], "Merci de relire.")
    # A hold is a second look, not an answer: the appeal stays open until the comment is published or removed.
    moderate(Comment.objects.get(pk=kept["comment"]["id"]), Action.HOLD)
    assert report(site, timezone.now().date()).appeals_open == 3
    moderate(Comment.objects.get(pk=kept["comment"]["id"]), Action.REJECT, category="threat")
    moderate(Comment.objects.get(pk=back["comment"]["id"]), Action.PUBLISH)
    moderate(Comment.objects.get(pk=waiting["comment"]["id"]), Action.HOLD)

    figures = report(site, timezone.now().date())
    assert (figures.appeals, figures.appeals_reinstated, figures.appeals_upheld, figures.appeals_open) == (3, 1, 1, 1)
    assert sorted(figures.removed) == [("other reasons", 0, 1), ("threats", 0, 1)]
    html = client.get(f"/t/{site.slug}/transparency/", {"month": timezone.now().strftime("%Y-%m")}).content.decode()
    for label, value in [
        ("Requested", 3),
        ("Comment published after review", 1),
        ("Removal confirmed", 1),
        ("Not yet decided", 1),
        ("Removed", 2),
        ("Comments received", 4),
    ]:
        assert f'<th scope="row">{label}</th><td>{value}</td>' in html, label
    assert "<td>threats</td><td>0</td><td>1</td>" in html
    assert "<td>other reasons</td><td>0</td><td>1</td>" in html
