"""The audit log in the dashboard: who may read it (everyone with a role, only their sites' entries) and reverse
from it (owners and moderators), its filters, its CSV export, and reversing a decision or a thread control."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parvis.comments.models import Status
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import held, make_user, signed_in
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, AuditEntry, Decision, Stage
from parvis.threads import actions as thread_actions

HX = {"HX-Request": "true"}


@pytest.fixture
def owner(django_user_model: Any, site: Any) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def entry(site: Any, action: str, **fields: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        site=site, action=action, actor_label=fields.pop("actor_label", "system"), **fields
    )


def listed(page: Any) -> list[int]:
    """The entry ids a page of the audit log shows, in order."""
    html = page.content.decode()
    return [int(part.split('"')[0]) for part in html.split('data-entry="')[1:]]


def export(client: Client, **params: Any) -> list[list[str]]:
    answer = client.get("/moderate/audit/export.csv", params)
    assert answer.status_code == 200 and answer["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer["Content-Disposition"]
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# ---- who may see and do what -----------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [("get", "/moderate/audit/"), ("get", "/moderate/audit/export.csv"), ("post", "/moderate/audit/1/reverse")],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, method: str, path: str) -> None:
    answer = getattr(client, method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator", "journalist"])
def test_every_role_reads_its_sites_log_and_never_another_sites(
    request: Any, persona: str, site: Any, other_site: Any
) -> None:
    mine = entry(site, "policy.saved", details={"version": 2})
    theirs = entry(other_site, "policy.saved", details={"version": 7})
    client = signed_in(request.getfixturevalue(persona))
    page = client.get("/moderate/audit/")
    assert page.status_code == 200
    assert listed(page) == [mine.pk]
    assert [row[0] for row in export(client)[1:]] == [str(mine.pk)]
    # Naming the other site does not open it either: it is not one of the choices.
    assert client.get("/moderate/audit/", {"site": "other"}).status_code == 400
    assert theirs.pk not in listed(client.get("/moderate/audit/", {"action": "policy"}))


@pytest.mark.django_db
def test_another_sites_staff_gets_404_when_reversing_and_a_journalist_403(
    other_moderator: Any, journalist: Any, moderator: Any, site: Any
) -> None:
    comment = held(site, "Un commentaire.")
    moderate(comment, Action.PUBLISH, actor=moderator)
    published = AuditEntry.objects.get(action="comment.publish")
    assert signed_in(other_moderator).post(f"/moderate/audit/{published.pk}/reverse", headers=HX).status_code == 404
    assert signed_in(other_moderator).post(f"/moderate/audit/{10**30}/reverse", headers=HX).status_code == 404
    reader = signed_in(journalist)
    assert b"Reverse" not in reader.get("/moderate/audit/").content
    assert reader.post(f"/moderate/audit/{published.pk}/reverse", headers=HX).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


@pytest.mark.django_db
def test_reversing_needs_the_csrf_token(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    moderate(comment, Action.PUBLISH, actor=moderator)
    published = AuditEntry.objects.get(action="comment.publish")
    client = signed_in(moderator, enforce_csrf_checks=True)
    assert client.post(f"/moderate/audit/{published.pk}/reverse", headers=HX).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    client.get("/moderate/audit/")
    token = client.cookies["csrftoken"].value
    answer = client.post(f"/moderate/audit/{published.pk}/reverse", {"csrfmiddlewaretoken": token}, headers=HX)
    assert answer.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


# ---- filters -----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_each_filter_lists_exactly_the_matching_entries(
    superuser: Any, moderator: Any, site: Any, other_site: Any
) -> None:
    first, second = held(site, "Premier."), held(site, "Second.", key="article-2")
    moderate(first, Action.PUBLISH, actor=moderator)
    moderate(second, Action.REJECT, actor=superuser, category="insult")
    thread_actions.close(second.thread, actor=moderator)
    entry(site, "policy.saved", actor_label="mona", details={"version": 2})
    entry(other_site, "ban.created", actor_label="root")
    old = entry(site, "surge.started")
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = signed_in(superuser)
    everything = AuditEntry.objects.order_by("-created_at", "-pk")
    today = timezone.localdate()
    cases: list[tuple[dict[str, Any], Any]] = [
        ({}, everything),
        ({"site": "news"}, everything.filter(site=site)),
        ({"actor": "MONA"}, everything.filter(actor_label="mona")),
        ({"action": "comment"}, everything.filter(action__startswith="comment.")),
        ({"action": "comment.*"}, everything.filter(action__startswith="comment.")),
        ({"action": "comment.reject"}, everything.filter(action="comment.reject")),
        ({"action": "thread"}, everything.filter(action__startswith="thread.")),
        ({"comment": first.pk}, everything.filter(comment=first)),
        ({"thread": second.thread_id}, everything.filter(thread=second.thread)),
        ({"since": (today - timedelta(days=1)).isoformat()}, everything.exclude(pk=old.pk)),
        ({"until": (today - timedelta(days=30)).isoformat()}, everything.filter(pk=old.pk)),
        ({"site": "news", "actor": "mona", "action": "comment"}, everything.filter(action="comment.publish")),
    ]
    for params, expected in cases:
        page = client.get("/moderate/audit/", params)
        assert page.status_code == 200, params
        assert listed(page) == list(expected.values_list("pk", flat=True)), params
        assert [int(row[0]) for row in export(client, **params)[1:]] == listed(page), params


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"comment": "abc"},
        {"comment": str(10**30)},
        {"thread": "-1"},
        {"since": "2026-13-40"},
        {"since": "2026-05-02", "until": "2026-05-01"},
        {"action": "comment'; drop table"},
        {"site": "nowhere"},
    ],
)
def test_a_malformed_filter_is_a_clear_400_not_a_500(moderator: Any, site: Any, params: dict[str, str]) -> None:
    client = signed_in(moderator)
    page = client.get("/moderate/audit/", params)
    assert page.status_code == 400 and b'role="alert"' in page.content
    assert client.get("/moderate/audit/export.csv", params).status_code == 400


@pytest.mark.django_db
def test_the_log_is_paged_newest_first(moderator: Any, site: Any) -> None:
    made = [entry(site, "policy.saved", details={"version": n}).pk for n in range(55)]
    client = signed_in(moderator)
    first = client.get("/moderate/audit/")
    assert listed(first) == made[::-1][:50] and b'rel="next"' in first.content
    assert listed(client.get("/moderate/audit/", {"page": 2})) == made[::-1][50:]


@pytest.mark.django_db
def test_an_entry_shows_who_when_what_and_a_word_diff_of_a_changed_text(moderator: Any, site: Any) -> None:
    entry(
        site,
        "comment.edited",
        actor_label="mona",
        details={
            "body": {
                "before": "Il habite au 12 rue des Lilas, appelez-le.",
                "after": "Il habite [adresse retirée], appelez-le.",
            }
        },
    )
    html = signed_in(moderator).get("/moderate/audit/").content.decode()
    assert "comment.edited" in html and "mona" in html
    assert "<del>au 12 rue des Lilas</del>" in html and "<ins>[adresse retirée]</ins>" in html
    assert "appelez-le." in html


@pytest.mark.django_db
def test_a_text_in_the_details_cannot_run_script_in_the_log(moderator: Any, site: Any) -> None:
    entry(
        site, "comment.edited", details={"body": {"before": "<script>alert(1)</script> old", "after": "new <b>x</b>"}}
    )
    html = signed_in(moderator).get("/moderate/audit/").content.decode()
    assert "<script>alert" not in html and "<b>" not in html
    assert "alert(1)" in html and "&lt;" in html


# ---- CSV export --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_export_has_a_header_keeps_hebrew_and_arabic_and_defuses_formulas(moderator: Any, site: Any) -> None:
    comment = held(site, "תגובה", key='=HYPERLINK("http://evil")')
    comment.thread.title = ""
    comment.thread.save()
    entry(site, "comment.edited", actor_label="@admin", thread=comment.thread, comment=comment,
          details={"body": {"before": "שלום עולם", "after": "مرحبا بالعالم"}})  # fmt: skip
    entry(site, "ban.created", actor_label="+33 6 12", details={"note": "-1+1"})
    entry(site, "list.added", actor_label="\tTab", details={})
    rows = export(signed_in(moderator))
    assert rows[0] == ["id", "time (UTC)", "site", "actor", "action", "thread id", "thread", "comment id", "details"]
    edited, ban, tab = rows[3], rows[2], rows[1]
    assert edited[3] == "'@admin" and edited[6] == '\'=HYPERLINK("http://evil")'
    assert "שלום עולם" in edited[8] and "مرحبا بالعالم" in edited[8]
    assert ban[3] == "'+33 6 12" and tab[3] == "'\tTab"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
        assert row[1].endswith("Z") and row[2] == "news"


# ---- reversing -------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reversing_a_decision_restores_the_status_and_is_itself_audited(moderator: Any, site: Any, api: Any) -> None:
    comment = held(site, "Un commentaire retenu puis publié.")
    moderate(comment, Action.PUBLISH, actor=moderator)
    published = AuditEntry.objects.get(action="comment.publish")
    assert published.details["status"] == {"before": "pending", "after": "approved"}
    assert [c["id"] for c in api.thread().json()["comments"]] == [comment.pk]
    client = signed_in(moderator)
    assert b"Reverse" in client.get("/moderate/audit/").content
    answer = client.post(f"/moderate/audit/{published.pk}/reverse", headers=HX)
    assert answer.status_code == 200 and "Reversed" in answer.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert api.thread().json()["comments"] == []
    reversal = AuditEntry.objects.latest("pk")
    assert reversal.action == "comment.hold" and reversal.actor == moderator
    assert reversal.details["reverses"] == published.pk
    assert reversal.details["note"] == f"reversal of audit entry #{published.pk}"
    assert Decision.objects.filter(comment=comment, stage=Stage.MODERATOR).latest("pk").note == reversal.details["note"]


@pytest.mark.django_db
def test_reversing_a_rejection_gives_back_a_published_comment_and_a_restored_rejection_keeps_its_reason(
    moderator: Any, site: Any
) -> None:
    comment = held(site, "Rejeté par le filtre.", status=Status.REJECTED, categories=["insult"])
    moderate(comment, Action.PUBLISH, actor=moderator)
    published = AuditEntry.objects.get(action="comment.publish")
    signed_in(moderator).post(f"/moderate/audit/{published.pk}/reverse")
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert AuditEntry.objects.latest("pk").details["category"] == "insult"


@pytest.mark.django_db
def test_a_stale_reversal_is_refused_with_409_and_changes_nothing(
    moderator: Any, site: Any, django_user_model: Any
) -> None:
    colleague = make_user(django_user_model, "colette")
    Membership.objects.create(user=colleague, site=site, role=Role.MODERATOR)
    comment = held(site, "Un commentaire.")
    moderate(comment, Action.PUBLISH, actor=moderator)
    published = AuditEntry.objects.get(action="comment.publish")
    moderate(comment, Action.SPAM, actor=colleague)
    client = signed_in(moderator)
    before = AuditEntry.objects.count()
    answer = client.post(f"/moderate/audit/{published.pk}/reverse", headers=HX)
    assert answer.status_code == 409 and "colette decided on this comment since" in answer.content.decode()
    plain = client.post(f"/moderate/audit/{published.pk}/reverse")
    assert plain.status_code == 409 and plain["Content-Type"].startswith("text/plain")
    comment.refresh_from_db()
    assert comment.status == Status.SPAM and AuditEntry.objects.count() == before
    # A reversal is a later decision too: reversing the colleague's spam once works, twice does not.
    spam = AuditEntry.objects.get(action="comment.spam")
    assert client.post(f"/moderate/audit/{spam.pk}/reverse").status_code == 303
    assert client.post(f"/moderate/audit/{spam.pk}/reverse").status_code == 409
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


@pytest.mark.django_db
def test_an_entry_recorded_without_its_previous_status_offers_no_reverse(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    old = entry(site, "comment.publish", comment=comment, details={"category": None, "note": ""})
    appeal = entry(site, "comment.appealed", comment=comment)
    client = signed_in(moderator)
    assert b"Reverse" not in client.get("/moderate/audit/").content
    for refused in (old, appeal):
        answer = client.post(f"/moderate/audit/{refused.pk}/reverse")
        assert answer.status_code == 409 and "cannot be reversed" in answer.content.decode()


@pytest.mark.django_db
def test_reversing_a_thread_control_applies_its_inverse_once(owner: Any, site: Any, api: Any) -> None:
    comment = held(site, "Un commentaire.", status=Status.APPROVED)
    closed = thread_actions.close(comment.thread, actor=owner)
    assert closed is not None and closed.details == {"is_closed": {"before": False, "after": True}}
    assert api.thread().json()["thread"]["closed"] is True
    client = signed_in(owner)
    assert client.post(f"/moderate/audit/{closed.pk}/reverse").status_code == 303
    assert api.thread().json()["thread"]["closed"] is False
    reopened = AuditEntry.objects.latest("pk")
    assert reopened.action == "thread.reopened" and reopened.details["reverses"] == closed.pk
    again = client.post(f"/moderate/audit/{closed.pk}/reverse")
    assert again.status_code == 409 and "changed again since" in again.content.decode()
