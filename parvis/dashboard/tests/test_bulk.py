"""Bulk decisions: every selected comment goes through the one moderation action; those decided since the page
was read are skipped and counted; a request carries at most 200 ids; "all matching" is listed chunk by chunk."""

from __future__ import annotations

from typing import Any

import pytest

from parvis.comments.models import Status
from parvis.dashboard.bulk import newest_decision_id
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, AuditEntry, Decision, Stage


def bulk(client: Any, ids: list[int], action: str = "publish", as_of: int | None = None, **extra: Any) -> Any:
    data = {
        "ids": ",".join(map(str, ids)),
        "action": action,
        "as_of": newest_decision_id() if as_of is None else as_of,
        **extra,
    }
    return client.post("/moderate/bulk", data)


@pytest.mark.django_db
def test_approving_a_selection_publishes_each_comment_through_the_action(moderator: Any, site: Any, api: Any) -> None:
    comments = [held(site, f"Avis numéro {n}.") for n in range(5)]
    answer = bulk(signed_in(moderator), [c.pk for c in comments])
    assert answer.status_code == 200
    assert answer.json() == {"done": 5, "already_decided": 0, "unavailable": 0}
    assert {c["id"] for c in api.thread().json()["comments"]} == {c.pk for c in comments}
    assert api.thread().json()["thread"]["count"] == 5
    assert Decision.objects.filter(stage=Stage.MODERATOR, action="publish", decided_by=moderator).count() == 5
    assert AuditEntry.objects.filter(action="comment.publish", actor=moderator).count() == 5


@pytest.mark.django_db
def test_comments_decided_since_the_page_was_read_are_skipped_and_counted(
    moderator: Any, superuser: Any, site: Any
) -> None:
    first, second, third = (held(site, f"Avis {n}.") for n in range(3))
    as_of = newest_decision_id()
    moderate(second, Action.REJECT, actor=superuser, category="insult")  # a colleague, meanwhile
    answer = bulk(signed_in(moderator), [first.pk, second.pk, third.pk], action="spam", as_of=as_of)
    assert answer.json() == {"done": 2, "already_decided": 1, "unavailable": 0}
    statuses = dict(type(first).objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: Status.SPAM, second.pk: Status.REJECTED, third.pk: Status.SPAM}
    assert not AuditEntry.objects.filter(comment=second, action="comment.spam").exists()


@pytest.mark.django_db
def test_rejecting_in_bulk_records_the_reason_and_an_unknown_one_is_refused(moderator: Any, site: Any) -> None:
    first, second = held(site, "Crétin."), held(site, "Idiot.")
    client = signed_in(moderator)
    refused = bulk(client, [first.pk, second.pk], action="reject", category="no-such-category")
    assert refused.status_code == 422 and "no-such-category" in refused.json()["error"]
    assert not Decision.objects.filter(stage=Stage.MODERATOR).exists()
    answer = bulk(client, [first.pk, second.pk], action="reject", category="insult")
    assert answer.json()["done"] == 2
    assert {e.details["category"] for e in AuditEntry.objects.filter(action="comment.reject")} == {"insult"}


@pytest.mark.django_db
def test_more_than_200_ids_in_one_request_is_a_400_and_nothing_is_decided(moderator: Any, site: Any) -> None:
    comments = [held(site, f"Avis {n}.") for n in range(201)]
    answer = bulk(signed_in(moderator), [c.pk for c in comments])
    assert answer.status_code == 400 and "200" in answer.json()["error"]
    assert not type(comments[0]).objects.filter(status=Status.APPROVED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"ids": "", "action": "publish", "as_of": "0"},
        {"ids": "1,abc", "action": "publish", "as_of": "0"},
        {"ids": "99999999999999999999999", "action": "publish", "as_of": "0"},
        {"ids": "1", "action": "destroy", "as_of": "0"},
        {"ids": "1", "action": "hold", "as_of": "0"},
        {"ids": "1", "action": "publish"},
    ],
)
def test_bad_bulk_requests_get_a_clear_400(moderator: Any, site: Any, data: Any) -> None:
    held(site, "Avis.")
    answer = signed_in(moderator).post("/moderate/bulk", data)
    assert answer.status_code == 400 and answer.json()["error"]


@pytest.mark.django_db
def test_all_matching_is_listed_in_chunks_of_200_by_id_and_follows_the_filters(moderator: Any, site: Any) -> None:
    french = [held(site, f"Avis {n}.") for n in range(230)]
    held(site, "An English view.", language="en")
    held(site, "Déjà publié.", status=Status.APPROVED)
    client = signed_in(moderator)
    first = client.get("/moderate/bulk/matching", {"tab": "pending", "language": "fr"}).json()
    assert first["ids"] == [c.pk for c in french[:200]] and first["next"] == french[199].pk
    # The first chunk is decided: those comments leave the tab, and the next chunk goes on after the last id.
    assert bulk(client, first["ids"]).json()["done"] == 200
    rest = client.get("/moderate/bulk/matching", {"tab": "pending", "language": "fr", "after": first["next"]}).json()
    assert rest == {"ids": [c.pk for c in french[200:]], "next": None}
    assert client.get("/moderate/bulk/matching", {"after": "-1"}).status_code == 400


@pytest.mark.django_db
def test_the_queue_page_offers_the_bulk_bar_with_the_pages_decision_mark(moderator: Any, site: Any) -> None:
    comment = held(site, "Avis.")
    page = signed_in(moderator).get("/moderate/").content.decode()
    assert f'name="as_of" value="{newest_decision_id()}"' in page
    assert f'class="dash-check" name="ids" value="{comment.pk}" form="dash-bulk"' in page
    assert "Select all 1 matching these filters" in page and 'data-bulk="A"' in page
