"""A reader proves their address by the mailed link, downloads their data, and erases it; through the pages and
the API, delivered by the outbox to a real SMTP server."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import ORIGIN, ApiClient
from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status, Vote
from parvis.core.models import Site
from parvis.moderation.models import AuditEntry
from parvis.notifications import outbox
from parvis.notifications.models import OutboxMessage, Subscription
from parvis.privacy.models import AccessRequest, PrivacySettings
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ALICE, BOB = "alice@example.org", "bob@example.net"
ALICE_IP, BOB_IP = "192.0.2.10", "198.51.100.20"


def post(api: ApiClient, body: str, name: str, email: str, ip: str, **fields: Any) -> int:
    answer = api.send(
        "post", "/comments",
        {"thread": {"key": "article-1", "url": f"{ORIGIN}/article-1"}, "body": body,
         "author": {"name": name, "email": email}, **fields},
        REMOTE_ADDR=ip,
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    return int(answer.json()["comment"]["id"])


def vote(api: ApiClient, comment: int, value: int, ip: str) -> None:
    answer = api.send("post", f"/comments/{comment}/votes", {"value": value}, REMOTE_ADDR=ip)
    assert answer.status_code == 200, answer.content


def subscribe(api: ApiClient, email: str, ip: str) -> None:
    body = {"email": email, "kind": "replies"}
    assert api.send("post", "/subscriptions", body, REMOTE_ADDR=ip).status_code == 202


def link_path(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https://parvis\.test(/privacy/[a-z0-9-]+/access/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def ask_for_link(client: Client, smtp: SmtpServer, site: Site, email: str, ip: str = ALICE_IP) -> str:
    # In English (the sites speak French): the request's language is the pages' language.
    answer = client.post(f"/privacy/{site.slug}/request/?lang=en", {"email": email}, REMOTE_ADDR=ip)
    assert answer.status_code == 200
    outbox.deliver_due()
    mine = [message for message in smtp.messages if message["To"] == email]
    assert mine, [str(message["To"]) for message in smtp.messages]
    return link_path(mine[-1])


@pytest.fixture
def people(api: ApiClient) -> dict[str, Any]:
    """Alice and Bob each comment, reply to each other, vote on each other's comments and subscribe."""
    alice_first = post(api, "Alice écrit le premier commentaire.", "Alice", ALICE, ALICE_IP)
    bob_reply = post(api, "Bob répond à Alice.", "Bob", BOB, BOB_IP, parent=alice_first)
    alice_second = post(api, "Alice répond à Bob à son tour.", "Alice", ALICE, ALICE_IP, parent=bob_reply)
    bob_alone = post(api, "Bob parle d'autre chose.", "Bob", BOB, BOB_IP)
    vote(api, bob_alone, 1, ALICE_IP)
    vote(api, alice_first, -1, BOB_IP)
    vote(api, alice_second, 1, BOB_IP)
    subscribe(api, ALICE, ALICE_IP)
    subscribe(api, BOB, BOB_IP)
    return {"alice": [alice_first, alice_second], "bob": [bob_reply, bob_alone]}


def test_the_download_holds_exactly_the_readers_data(
    client: Client, smtp: SmtpServer, site: Site, people: dict[str, Any]
) -> None:
    path = ask_for_link(client, smtp, site, ALICE)
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 comments" in text and "1 subscription" in text and "1 vote" in text
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"

    download = client.get(path + "download")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    document = json.loads(download.content)
    assert document["email"] == ALICE
    assert [item["id"] for item in document["comments"]] == people["alice"]
    assert {item["text"] for item in document["comments"]} == {
        "Alice écrit le premier commentaire.", "Alice répond à Bob à son tour."
    }  # fmt: skip
    assert [item["kind"] for item in document["subscriptions"]] == ["replies"]
    assert [(item["comment"], item["value"]) for item in document["votes"]] == [(people["bob"][1], 1)]
    raw = download.content.decode()
    assert BOB not in raw and "Bob répond" not in raw and "autre chose" not in raw and BOB_IP not in raw


@pytest.mark.parametrize("policy", ["delete", "anonymise", "redact"])
def test_erasure_follows_the_sites_policy_and_the_thread_keeps_its_shape(
    client: Client, smtp: SmtpServer, site: Site, api: ApiClient, people: dict[str, Any], policy: str
) -> None:
    PrivacySettings.objects.create(site=site, erasure=policy)
    alice_first, alice_second = people["alice"]
    bob_reply, bob_alone = people["bob"]
    path = ask_for_link(client, smtp, site, ALICE)
    confirm = client.get(path + "erase")
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    assert Comment.objects.get(pk=alice_first).author_name == "Alice"  # nothing happens before the button
    done = client.post(path + "erase")
    assert done.status_code == 200
    assert "Your data was erased" in done.content.decode()

    thread = api.thread().json()
    [first, other] = sorted(thread["comments"], key=lambda item: item["id"])
    assert first["id"] == alice_first and other["id"] == bob_alone
    [reply] = first["replies"]
    assert reply["id"] == bob_reply and reply["author"]["name"] == "Bob"
    if policy == "delete":
        assert first["status"] == "deleted" and first["author"] is None and first["html"] == ""
        # Alice's second comment had no replies: it is gone from the thread.
        assert reply["replies"] == []
    else:
        assert first["status"] == "approved" and first["author"]["name"] == "[deleted]"
        [nested] = reply["replies"]
        assert nested["id"] == alice_second and nested["author"]["name"] == "[deleted]"
        if policy == "anonymise":
            assert "Alice écrit le premier" in first["html"]
        else:
            assert "Alice écrit" not in first["html"] and "[deleted]" in first["html"]
    page = client.get("/t/news/", {"key": "article-1"}).content.decode()
    assert "Bob répond à Alice." in page
    assert ("Alice écrit le premier" in page) == (policy == "anonymise")

    assert not Commenter.objects.filter(email__iexact=ALICE).exists()
    assert Commenter.objects.filter(email=BOB).exists()
    assert list(Subscription.objects.values_list("email", flat=True)) == [BOB]
    assert not OutboxMessage.objects.filter(recipient=ALICE).exists()
    assert not AccessRequest.objects.exclude(email="").exists()
    assert not Vote.objects.filter(comment_id=bob_alone).exists()
    assert Comment.objects.get(pk=bob_alone).upvotes == 0
    assert Comment.objects.get(pk=alice_first).downvotes == 1  # Bob's vote is Bob's: it stays
    erased = AuditEntry.objects.filter(action="comment.erased")
    assert sorted(erased.values_list("comment_id", flat=True)) == sorted(people["alice"])
    summary = AuditEntry.objects.get(action="privacy.erased")
    assert summary.details["policy"] == policy and summary.details["comments"] == people["alice"]
    assert ALICE not in json.dumps(list(AuditEntry.objects.values("details")))
    assert AuditEntry.objects.filter(action="subscription.erased").count() == 1

    again = client.get(path)
    assert again.status_code == 410 and "link_used" in again.content.decode()


def test_the_same_answer_whether_or_not_the_address_has_data(
    client: Client, smtp: SmtpServer, site: Site, api: ApiClient, people: dict[str, Any]
) -> None:
    known = client.post("/privacy/news/request/?lang=en", {"email": ALICE}, REMOTE_ADDR="203.0.113.1")
    unknown = client.post("/privacy/news/request/?lang=en", {"email": "nobody@example.com"}, REMOTE_ADDR="203.0.113.2")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    by_api = [
        api.send("post", "/privacy/requests", {"email": email}, REMOTE_ADDR="203.0.113.3")
        for email in (BOB, "someone@example.com")
    ]
    assert [answer.status_code for answer in by_api] == [202, 202]
    assert by_api[0].content == by_api[1].content
    outbox.deliver_due()
    # Both owners get their link; only the page behind it says what there is.
    assert {str(message["To"]) for message in smtp.messages} >= {ALICE, "nobody@example.com"}
    nobody = next(message for message in smtp.messages if message["To"] == "nobody@example.com")
    assert "no comments, subscriptions or votes" in client.get(link_path(nobody)).content.decode()


def test_an_altered_expired_or_other_sites_link_is_refused(
    client: Client, smtp: SmtpServer, site: Site, people: dict[str, Any], settings: Any
) -> None:
    other = Site.objects.create(slug="other", name="Other", allowed_origins=[ORIGIN])
    path = ask_for_link(client, smtp, site, ALICE)
    token = path.rstrip("/").rsplit("/", 1)[1]
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for url, status, code in (
        (f"/privacy/news/access/{altered}/", 403, "link_invalid"),
        (f"/privacy/news/access/{altered}/download", 403, "link_invalid"),
        (f"/privacy/other/access/{token}/", 403, "link_other_site"),
        (f"/privacy/other/access/{token}/download", 403, "link_other_site"),
    ):
        answer = client.get(url)
        assert answer.status_code == status, url
        assert code in answer.content.decode()
    assert client.post(f"/privacy/other/access/{token}/erase").status_code == 403
    assert client.post(f"/privacy/news/access/{altered}/erase").status_code == 403
    assert Commenter.objects.filter(email=ALICE).exists()

    api_other = ApiClient(client, other)
    refused = api_other.get("/privacy/data", headers={"Parvis-Privacy-Token": token})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "link_other_site"

    settings.PARVIS_PRIVACY_LINK_HOURS = 24
    AccessRequest.objects.update(created_at=AccessRequest.objects.get().created_at - timedelta(hours=24, minutes=1))
    expired = client.get(path)
    assert expired.status_code == 410 and "link_expired" in expired.content.decode()
    assert client.post(path + "erase").status_code == 410
    by_api = ApiClient(client, site).send("post", "/privacy/erasure", {}, headers={"Parvis-Privacy-Token": token})
    assert by_api.status_code == 410 and by_api.json()["code"] == "link_expired"
    assert Commenter.objects.filter(email=ALICE).exists()


def test_the_api_reads_and_erases_with_the_token(
    client: Client, smtp: SmtpServer, site: Site, api: ApiClient, people: dict[str, Any]
) -> None:
    assert api.send("post", "/privacy/requests", {"email": ALICE}, REMOTE_ADDR=ALICE_IP).status_code == 202
    outbox.deliver_due()
    token = link_path(smtp.messages[-1]).rstrip("/").rsplit("/", 1)[1]
    headers = {"Parvis-Privacy-Token": token}
    summary = api.get("/privacy/summary", headers=headers).json()
    assert summary == {"comments": 2, "subscriptions": 1, "votes": 1, "erasure": "delete"}
    document = api.get("/privacy/data", headers=headers).json()
    assert [item["id"] for item in document["comments"]] == people["alice"]
    erased = api.send("post", "/privacy/erasure", {}, headers=headers).json()
    assert erased == {"erasure": "delete", "comments": 2, "subscriptions": 1, "votes": 1}
    used = api.get("/privacy/data", headers=headers)
    assert used.status_code == 410 and used.json()["code"] == "link_used"
    missing = api.get("/privacy/data")
    assert missing.status_code == 422 and missing["Content-Type"] == "application/problem+json"


def test_requests_are_rate_limited_per_address_and_per_ip(
    client: Client, smtp: SmtpServer, site: Site, api: ApiClient, settings: Any
) -> None:
    settings.PARVIS_RATELIMIT_PRIVACY_EMAIL = "2/3600"
    settings.PARVIS_RATELIMIT_PRIVACY_IP = "4/3600"
    answers = [
        client.post("/privacy/news/request/", {"email": ALICE}, REMOTE_ADDR=f"203.0.113.{number}").status_code
        for number in range(3)
    ]
    assert answers == [200, 200, 429]
    by_api = api.send("post", "/privacy/requests", {"email": ALICE}, REMOTE_ADDR="203.0.113.9")
    assert by_api.status_code == 429 and by_api.json()["code"] == "rate_limited" and by_api["Retry-After"]
    from_one_ip = [
        api.send("post", "/privacy/requests", {"email": f"reader{number}@example.com"}, REMOTE_ADDR=BOB_IP)
        for number in range(5)
    ]
    assert [answer.status_code for answer in from_one_ip] == [202, 202, 202, 202, 429]
    outbox.deliver_due()
    assert sum(1 for message in smtp.messages if message["To"] == ALICE) == 2


def test_staff_erase_from_the_command_line(site: Site, api: ApiClient, people: dict[str, Any], capsys: Any) -> None:
    call_command("privacy_erase", "--site=news", f"--email={ALICE.upper()}", "--actor=dpo")
    assert "2 comment(s)" in capsys.readouterr().out
    assert not Commenter.objects.filter(email=ALICE).exists()
    assert Comment.objects.get(pk=people["alice"][0]).status == Status.DELETED
    entry = AuditEntry.objects.get(action="privacy.erased")
    assert entry.actor_label == "dpo" and entry.details["via"] == "cli"


def test_an_admin_erases_a_commenter_with_the_admin_action(
    client: Client, site: Site, api: ApiClient, people: dict[str, Any], django_user_model: Any
) -> None:
    admin = django_user_model.objects.create_superuser("admin", "admin@parvis.test", "pw-not-used")
    client.force_login(admin)
    alice = Commenter.objects.get(email=ALICE)
    answer = client.post(
        "/admin/accounts/commenter/", {"action": "erase_data", "_selected_action": [alice.pk]}, follow=True
    )
    assert answer.status_code == 200
    assert "Erased 1 person(s): 2 comment(s)." in answer.content.decode()
    assert not Commenter.objects.filter(email=ALICE).exists()
    entry = AuditEntry.objects.get(action="privacy.erased")
    assert entry.actor == admin and entry.details["via"] == "admin"


def test_the_link_email_speaks_the_language_of_the_request(client: Client, smtp: SmtpServer, site: Site) -> None:
    answer = client.post("/privacy/news/request/?lang=he", {"email": ALICE}, REMOTE_ADDR=ALICE_IP)
    assert answer.status_code == 200 and '<html lang="he" dir="rtl">' in answer.content.decode()
    outbox.deliver_due()
    [message] = smtp.messages
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<html lang="he" dir="rtl">' in html and "/privacy/news/access/" in html
    page = client.get(link_path(message))
    assert '<html lang="he" dir="rtl">' in page.content.decode()


def test_a_link_whose_email_waited_past_its_lifetime_is_not_sent(
    client: Client, smtp: SmtpServer, site: Site, settings: Any
) -> None:
    settings.PARVIS_PRIVACY_LINK_HOURS = 1
    client.post("/privacy/news/request/", {"email": ALICE}, REMOTE_ADDR=ALICE_IP)
    AccessRequest.objects.update(created_at=AccessRequest.objects.get().created_at - timedelta(hours=2))
    assert outbox.deliver_due().dropped == 1
    assert smtp.messages == []


def test_the_sites_staff_read_the_erasure_in_the_audit_log_without_the_address(
    site: Site, api: ApiClient, people: dict[str, Any], django_user_model: Any
) -> None:
    from parvis.dashboard.models import Membership, Role

    call_command("privacy_erase", "--site=news", f"--email={ALICE}")
    owner = django_user_model.objects.create_user(username="olga", password="not-used-here")
    Membership.objects.create(user=owner, site=site, role=Role.OWNER)
    staff = Client()
    staff.force_login(owner)
    page = staff.get("/moderate/audit/", {"action": "privacy"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "privacy.erased" in text and ALICE not in text
    per_comment = staff.get("/moderate/audit/", {"action": "comment.erased", "comment": people["alice"][0]})
    assert "comment.erased" in per_comment.content.decode()


def test_staff_who_may_not_delete_commenters_cannot_erase_from_the_admin(
    client: Client, site: Site, api: ApiClient, people: dict[str, Any], django_user_model: Any
) -> None:
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="not-used-here", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_commenter", "change_commenter"]))
    client.force_login(clerk)
    alice = Commenter.objects.get(email=ALICE)
    client.post("/admin/accounts/commenter/", {"action": "erase_data", "_selected_action": [alice.pk]}, follow=True)
    assert Commenter.objects.filter(email=ALICE).exists()
    assert not AuditEntry.objects.filter(action="privacy.erased").exists()
