"""The block and allow lists in the dashboard: who may see and change them, entries added and removed through the
page (audited), refused entries answered with a clear 400, and the test box counting what a draft would catch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from parvis.comments.models import Comment, Status
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import held, make_user, signed_in
from parvis.moderation.models import AuditEntry, ListEntry

HX = {"HX-Request": "true"}
WORD = {"site": "news", "kind": "block", "match": "word", "value": "tramway", "action": "hold"}


@pytest.fixture
def owner(django_user_model: Any, site: Any) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def an_entry(site: Any, value: str = "bouffon") -> ListEntry:
    return ListEntry.objects.create(site=site, kind="block", match="word", value=value, action="hold", note="n")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [("get", "/moderate/lists/"), ("post", "/moderate/lists/"), ("post", "/moderate/lists/1/remove"),
     ("post", "/moderate/lists/preview")],
)  # fmt: skip
def test_an_anonymous_visitor_is_sent_to_sign_in_for_every_list_view(client: Client, method: str, path: str) -> None:
    answer = getattr(client, method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
def test_a_journalist_can_neither_read_nor_change_the_lists(journalist: Any, site: Any) -> None:
    entry = an_entry(site)
    client = signed_in(journalist)
    assert client.get("/moderate/lists/").status_code == 403
    assert client.post("/moderate/lists/", WORD).status_code == 403
    assert client.post(f"/moderate/lists/{entry.pk}/remove").status_code == 403
    assert client.post("/moderate/lists/preview", WORD, headers=HX).status_code == 403
    assert list(ListEntry.objects.values_list("value", flat=True)) == ["bouffon"]


@pytest.mark.django_db
def test_another_sites_staff_get_404_for_its_lists(other_moderator: Any, site: Any) -> None:
    entry = an_entry(site, "secret-de-news")
    client = signed_in(other_moderator)
    page = client.get("/moderate/lists/")
    assert page.status_code == 200 and "secret-de-news" not in page.content.decode()
    assert client.get("/moderate/lists/", {"site": "news"}).status_code == 404
    assert client.post("/moderate/lists/", WORD).status_code == 404
    assert client.post(f"/moderate/lists/{entry.pk}/remove").status_code == 404
    assert client.post("/moderate/lists/preview", WORD, headers=HX).status_code == 404
    assert client.post(f"/moderate/lists/{10**30}/remove").status_code == 404
    assert ListEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_owners_and_moderators_add_and_remove_entries_with_audit_entries(request: Any, persona: str, site: Any) -> None:
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    added = client.post("/moderate/lists/", {**WORD, "category": "insult", "note": "campagne"})
    assert added.status_code == 303 and added["Location"] == "/moderate/lists/?site=news"
    entry = ListEntry.objects.get()
    assert (entry.value, entry.action, entry.category, entry.created_by) == ("tramway", "hold", "insult", user)
    page = client.get("/moderate/lists/", {"site": "news"}).content.decode()
    assert "<code>tramway</code>" in page and "campagne" in page
    assert client.post(f"/moderate/lists/{entry.pk}/remove").status_code == 303
    assert not ListEntry.objects.exists()
    audit = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "details"))
    assert [(action, actor) for action, actor, _ in audit] == [("list.add", user.pk), ("list.remove", user.pk)]
    assert audit[0][2]["after"]["value"] == "tramway" and audit[1][2]["before"]["value"] == "tramway"


@pytest.mark.django_db
def test_a_list_post_without_the_csrf_token_is_refused(moderator: Any, site: Any) -> None:
    entry = an_entry(site)
    client = signed_in(moderator, enforce_csrf_checks=True)
    assert client.post("/moderate/lists/", WORD).status_code == 403
    assert client.post(f"/moderate/lists/{entry.pk}/remove").status_code == 403
    assert client.post("/moderate/lists/preview", WORD, headers=HX).status_code == 403
    assert ListEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"match": "regex", "value": "(a+)+$"}, "repetition inside a repetition"),
        ({"match": "regex", "value": "(a|aa)+$"}, "takes too long"),
        ({"match": "link", "value": "pas un domaine"}, "not a domain"),
        ({"action": "publish"}, "held for review or rejected"),
        ({"category": "nonsense"}, "no category nonsense"),
        ({"kind": "allow", "match": "regex", "value": "abc"}, "not a pattern"),
    ],
)
def test_an_entry_that_cannot_work_is_refused_with_a_clear_400(
    moderator: Any, site: Any, fields: dict[str, str], message: str
) -> None:
    answer = signed_in(moderator).post("/moderate/lists/", {**WORD, **fields})
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not ListEntry.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_same_entry_twice_is_refused(moderator: Any, site: Any) -> None:
    client = signed_in(moderator)
    assert client.post("/moderate/lists/", WORD).status_code == 303
    again = client.post("/moderate/lists/", WORD)
    assert again.status_code == 400 and "already on the list" in again.content.decode()


@pytest.mark.django_db
def test_the_test_box_counts_what_the_draft_would_catch_in_the_last_1000_comments_and_saves_nothing(
    moderator: Any, site: Any, other_site: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=10)
    texts = ["Le TRAMWAY encore en panne.", "Vive le tramway !", "Le bus est mieux.", "tram way n'est pas le mot"]
    for number in range(1010):
        held(site, f"{texts[number % 4]} ({number})", created_at=start + timedelta(minutes=number),
             status=Status.APPROVED)  # fmt: skip
    deleted = held(site, "Un tramway supprimé.")
    Comment.objects.filter(pk=deleted.pk).update(status=Status.DELETED)
    held(other_site, "Le tramway d'ailleurs.")
    answer = signed_in(moderator).post("/moderate/lists/preview", WORD, headers=HX)
    assert answer.status_code == 200
    html = answer.content.decode()
    # Counted independently: the site's last 1,000 comments that are not deleted, with the word in any case.
    last = (
        Comment.objects.filter(thread__site=site).exclude(status=Status.DELETED).order_by("-created_at", "-pk")[:1000]
    )
    expected = sum(1 for body in last.values_list("body_markdown", flat=True) if "tramway" in body.lower())
    assert expected == 500
    assert f'data-caught="{expected}" data-scanned="1000"' in html
    assert len(re.findall(r"<mark [^>]*>tramway</mark>|<mark [^>]*>TRAMWAY</mark>", html, re.I)) == 10
    assert not ListEntry.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_test_box_answers_a_refused_draft_with_its_reason(moderator: Any, site: Any) -> None:
    answer = signed_in(moderator).post("/moderate/lists/preview", {**WORD, "match": "regex", "value": "(a+)+$"},
                                       headers=HX)  # fmt: skip
    assert answer.status_code == 400 and "repetition inside a repetition" in answer.content.decode()


@pytest.mark.django_db
def test_the_lists_page_loads_only_static_scripts(moderator: Any, site: Any) -> None:
    an_entry(site, "<script>alert(1)</script>")
    html = signed_in(moderator).get("/moderate/lists/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
    assert " style=" not in html and "onclick" not in html
