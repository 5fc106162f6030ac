"""Bans in the dashboard: who may see and make them, the ban page and the queue's ban form, refused ranges, the
audit log, and what the banned commenter then meets on the public API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parvis.accounts.models import Ban, BanKind, Commenter
from parvis.comments.models import Comment
from parvis.core.clients import keyed_hash, network_of
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import held, make_user, signed_in
from parvis.moderation.models import AuditEntry

HX = {"HX-Request": "true"}
LEA = {"name": "Léa", "email": "lea@example.org"}


@pytest.fixture
def owner(django_user_model: Any, site: Any) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


def posted_by_lea(api: Any) -> Comment:
    answer = api.post_comment("Un premier avis, poli.", author=LEA)
    assert answer.status_code == 201, answer.content
    return Comment.objects.get(pk=answer.json()["comment"]["id"])


def a_ban(site: Any, **fields: Any) -> Ban:
    return Ban.objects.create(site=site, kind=fields.pop("kind", BanKind.EMAIL), value="x@example.org", **fields)


# Who may do what ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [("get", "/moderate/bans/"), ("post", "/moderate/bans/"), ("post", "/moderate/bans/1/lift"),
     ("post", "/moderate/comments/1/ban")],
)  # fmt: skip
def test_an_anonymous_visitor_is_sent_to_sign_in_for_every_ban_view(client: Client, method: str, path: str) -> None:
    answer = getattr(client, method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
def test_a_journalist_can_neither_see_nor_make_nor_lift_bans(journalist: Any, site: Any, api: Any) -> None:
    comment = posted_by_lea(api)
    existing = a_ban(site)
    client = signed_in(journalist)
    assert client.get("/moderate/bans/").status_code == 403
    assert client.post("/moderate/bans/", {"site": "news", "kind": "email", "value": "y@example.org",
                                           "duration": "7"}).status_code == 403  # fmt: skip
    assert client.post(f"/moderate/bans/{existing.pk}/lift").status_code == 403
    assert (
        client.post(f"/moderate/comments/{comment.pk}/ban", {"kind": "commenter", "duration": "7"}).status_code == 403
    )
    # The queue shows the journalist no ban form and no ban.
    page = client.get("/moderate/?tab=all").content.decode()
    assert "dash-ban" not in page and "Banned" not in page
    assert Ban.objects.count() == 1 and Ban.objects.get().lifted_at is None


@pytest.mark.django_db
def test_another_sites_staff_get_404_for_its_bans_and_comments(other_moderator: Any, site: Any, api: Any) -> None:
    comment = posted_by_lea(api)
    existing = a_ban(site, reason="Raison interne à News")
    client = signed_in(other_moderator)
    page = client.get("/moderate/bans/")
    assert page.status_code == 200 and "Raison interne à News" not in page.content.decode()
    assert client.get("/moderate/bans/", {"site": "news"}).status_code == 404
    assert client.post(f"/moderate/bans/{existing.pk}/lift").status_code == 404
    assert (
        client.post(f"/moderate/comments/{comment.pk}/ban", {"kind": "commenter", "duration": "7"}).status_code == 404
    )
    made = client.post("/moderate/bans/", {"site": "news", "kind": "email", "value": "y@example.org", "duration": "7"})
    assert made.status_code == 404
    assert client.post(f"/moderate/bans/{10**30}/lift").status_code == 404
    assert Ban.objects.count() == 1 and Ban.objects.get().lifted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_owners_and_moderators_ban_and_lift_from_the_ban_page(request: Any, persona: str, site: Any) -> None:
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    answer = client.post(
        "/moderate/bans/",
        {"site": "news", "kind": "email", "value": "Troll@Example.org", "duration": "30", "reason": "Insultes"},
    )
    assert answer.status_code == 303
    made = Ban.objects.get()
    assert (made.kind, made.value, made.shadow, made.created_by) == ("email", "troll@example.org", False, user)
    assert made.until is not None and timedelta(days=29) < made.until - timezone.now() <= timedelta(days=30)
    listed = client.get("/moderate/bans/").content.decode()
    assert "troll@example.org" in listed and "Insultes" in listed
    assert client.post(f"/moderate/bans/{made.pk}/lift").status_code == 303
    made.refresh_from_db()
    assert made.lifted_at is not None and made.lifted_by == user
    assert "troll@example.org" not in client.get("/moderate/bans/").content.decode()  # no longer active
    assert "troll@example.org" in client.get("/moderate/bans/", {"state": "lifted"}).content.decode()
    assert client.post(f"/moderate/bans/{made.pk}/lift").status_code == 409  # lifted once


@pytest.mark.django_db
def test_a_ban_post_without_the_csrf_token_is_refused(moderator: Any, site: Any, api: Any) -> None:
    comment = posted_by_lea(api)
    existing = a_ban(site)
    client = signed_in(moderator, enforce_csrf_checks=True)
    assert client.post("/moderate/bans/", {"site": "news", "kind": "email", "value": "y@example.org",
                                           "duration": "7"}).status_code == 403  # fmt: skip
    assert client.post(f"/moderate/bans/{existing.pk}/lift").status_code == 403
    assert (
        client.post(f"/moderate/comments/{comment.pk}/ban", {"kind": "commenter", "duration": "7"}).status_code == 403
    )
    assert Ban.objects.count() == 1 and Ban.objects.get().lifted_at is None


# The ban page: lists, filters, pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ban_page_lists_active_expired_and_lifted_bans_by_site_and_kind(
    moderator: Any, site: Any, other_site: Any
) -> None:
    Membership.objects.create(user=moderator, site=other_site, role=Role.MODERATOR)
    now = timezone.now()
    Ban.objects.create(site=site, kind=BanKind.EMAIL, value="active@example.org", label="active@example.org")
    Ban.objects.create(site=site, kind=BanKind.EMAIL, value="old@example.org", label="old@example.org",
                       until=now - timedelta(days=1))  # fmt: skip
    Ban.objects.create(site=site, kind=BanKind.IP, value="abc", label="lifted address", lifted_at=now)
    Ban.objects.create(site=other_site, kind=BanKind.COMMENTER, value="7", label="Autre (commenter #7)")
    client = signed_in(moderator)

    def shown(**query: str) -> set[str]:
        html = client.get("/moderate/bans/", query).content.decode()
        labels = ["active@example.org", "old@example.org", "lifted address", "Autre (commenter #7)"]
        return {label for label in labels if label in html}

    assert shown() == {"active@example.org", "Autre (commenter #7)"}
    assert shown(state="expired") == {"old@example.org"}
    assert shown(state="lifted") == {"lifted address"}
    assert shown(state="all", site="news") == {"active@example.org", "old@example.org", "lifted address"}
    assert shown(state="all", kind="commenter") == {"Autre (commenter #7)"}


@pytest.mark.django_db
def test_the_ban_page_shows_fifty_bans_a_page(moderator: Any, site: Any) -> None:
    Ban.objects.bulk_create(
        Ban(site=site, kind=BanKind.EMAIL, value=f"p{n}@example.org", label=f"p{n}@example.org") for n in range(55)
    )
    client = signed_in(moderator)
    first = client.get("/moderate/bans/").content.decode()
    assert first.count('data-state="active"') == 50 and "Page 1 of 2" in first
    assert client.get("/moderate/bans/", {"page": "2"}).content.decode().count('data-state="active"') == 5


# Refused ranges -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "email", "value": "a@example.org", "duration": "custom", "until": "2020-01-01"}, "in the past"),
        ({"kind": "email", "value": "a@example.org", "duration": "custom", "until": "2099-01-01"}, "three years"),
        ({"kind": "email", "value": "a@example.org", "duration": "custom", "until": "soon"}, "YYYY-MM-DD"),
        ({"kind": "email", "value": "a@example.org", "duration": "365000"}, "how long"),
        ({"kind": "email", "value": "not an email", "duration": "7"}, "not a valid email"),
        ({"kind": "network", "value": "203.0.113.0/16", "duration": "7"}, "broader than /24"),
        ({"kind": "network", "value": "2001:db8::/32", "duration": "7"}, "broader than /48"),
        ({"kind": "network", "value": "203.0.113.0/28", "duration": "7"}, "as a whole /24"),
        ({"kind": "network", "value": "203.0.113.0/99", "duration": "7"}, "not a network"),
        ({"kind": "ip", "value": "999.1.1.1", "duration": "7"}, "not an IP address"),
        ({"kind": "commenter", "value": "99999999", "duration": "7"}, "No commenter"),
        ({"kind": "email", "value": "a@example.org", "duration": "7", "reason": "x" * 301}, "300 characters"),
        ({"kind": "nobody", "value": "a@example.org", "duration": "7"}, "Unknown kind"),
    ],
)
def test_an_invalid_ban_is_refused_with_a_clear_400(
    moderator: Any, site: Any, fields: dict[str, str], message: str
) -> None:
    answer = signed_in(moderator).post("/moderate/bans/", {"site": "news", **fields})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Ban.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_typed_address_and_network_are_hashed_like_the_sender_of_a_comment(
    moderator: Any, site: Any, api: Any
) -> None:
    client = signed_in(moderator)
    assert client.post("/moderate/bans/", {"site": "news", "kind": "network", "value": "127.0.0.9/24",
                                           "duration": "1"}).status_code == 303  # fmt: skip
    made = Ban.objects.get()
    assert made.value == keyed_hash(f"net:{network_of('127.0.0.1')}")
    assert "127.0.0" not in made.label  # no clear address kept
    # The test client sends from 127.0.0.1: inside that /24.
    refused = api.post_comment("Depuis le même réseau.", author=LEA)
    assert refused.status_code == 403 and refused.json()["code"] == "banned"
    client.post(f"/moderate/bans/{made.pk}/lift")
    assert client.post("/moderate/bans/", {"site": "news", "kind": "ip", "value": "127.0.0.1",
                                           "duration": "forever"}).status_code == 303  # fmt: skip
    assert api.post_comment("Depuis la même adresse.", author=LEA).json()["code"] == "banned"


# The queue's ban form -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_item_offers_a_ban_form_prefilled_from_the_comment_without_the_address(
    moderator: Any, site: Any, api: Any
) -> None:
    comment = posted_by_lea(api)
    html = signed_in(moderator).get("/moderate/?tab=all").content.decode()
    assert f'action="/moderate/comments/{comment.pk}/ban"' in html
    assert 'value="commenter" checked' in html and "lea@example.org" in html
    assert 'value="ip"' in html and 'value="network"' in html
    assert comment.ip_hash not in html and "127.0.0.1" not in html  # neither the hash nor a clear address


@pytest.mark.django_db
def test_banning_from_the_queue_stops_the_commenters_next_post_and_is_audited(
    moderator: Any, site: Any, api: Any
) -> None:
    comment = posted_by_lea(api)
    client = signed_in(moderator)
    answer = client.post(
        f"/moderate/comments/{comment.pk}/ban", {"kind": "commenter", "duration": "7", "reason": "Harcèlement"},
        headers=HX,
    )  # fmt: skip
    assert answer.status_code == 200
    item = answer.content.decode()
    assert f'id="item-{comment.pk}"' in item and "Banned (Commenter, until" in item
    made = Ban.objects.get()
    assert (made.kind, made.value, made.comment_id) == ("commenter", str(comment.commenter_id), comment.pk)
    entry = AuditEntry.objects.get(action="ban.create")
    assert entry.actor == moderator and entry.comment_id == comment.pk and entry.details["before"] is None
    assert entry.details["after"]["kind"] == "commenter" and entry.details["after"]["reason"] == "Harcèlement"

    refused = api.post_comment("Je reviens quand même.", author=LEA)
    assert refused.status_code == 403 and refused.json()["code"] == "banned"
    assert "until" in refused.json()["detail"]

    assert client.post(f"/moderate/bans/{made.pk}/lift").status_code == 303
    lifted = AuditEntry.objects.get(action="ban.lift")
    assert lifted.details["before"]["lifted_at"] is None and lifted.details["after"]["lifted_at"] is not None
    assert api.post_comment("Je reviens, ban levé.", author=LEA).status_code == 201


@pytest.mark.django_db
def test_a_shadow_ban_from_the_queue_lets_only_the_author_see_their_next_comment(
    moderator: Any, site: Any, api: Any
) -> None:
    comment = posted_by_lea(api)
    assert signed_in(moderator).post(
        f"/moderate/comments/{comment.pk}/ban", {"kind": "email", "duration": "forever", "shadow": "1"}, headers=HX
    ).status_code == 200  # fmt: skip
    assert Ban.objects.get().value == "lea@example.org"
    answer = api.post_comment("Personne ne verra ceci.", author=LEA)
    assert answer.status_code == 201
    posted = answer.json()
    assert posted["comment"]["status"] == "pending" and posted["comment"]["moderation"]["reasons"] == []
    everyone = [c["id"] for c in api.thread().json()["comments"]]
    assert posted["comment"]["id"] not in everyone
    own = api.get("/thread", {"key": "article-1"}, headers={"Parvis-Own-Tokens": posted["edit_token"]}).json()
    assert posted["comment"]["id"] in [c["id"] for c in own["comments"]]


@pytest.mark.django_db
def test_the_queue_refuses_a_ban_by_a_trace_the_comment_does_not_have_or_a_past_date(moderator: Any, site: Any) -> None:
    comment = held(site, "Sans identité ni adresse.")
    client = signed_in(moderator)
    nothing = client.post(f"/moderate/comments/{comment.pk}/ban", {"kind": "email", "duration": "7"}, headers=HX)
    assert nothing.status_code == 400 and "nothing to ban" in nothing.content.decode()
    with_ip = held(site, "Avec une adresse.", ip_hash="a" * 32, network_hash="b" * 32)
    past = client.post(
        f"/moderate/comments/{with_ip.pk}/ban", {"kind": "ip", "duration": "custom", "until": "2001-01-01"}, headers=HX
    )
    assert past.status_code == 400 and "in the past" in past.content.decode()
    assert not Ban.objects.exists()


@pytest.mark.django_db
def test_the_commenter_history_line_shows_active_bans_only(moderator: Any, site: Any, api: Any) -> None:
    comment = posted_by_lea(api)
    commenter = Commenter.objects.get()
    client = signed_in(moderator)
    assert "Banned" not in client.get("/moderate/?tab=all").content.decode()
    Ban.objects.create(site=site, kind=BanKind.COMMENTER, value=str(commenter.pk), shadow=True)
    Ban.objects.create(site=site, kind=BanKind.IP, value=comment.ip_hash, lifted_at=timezone.now())
    html = client.get("/moderate/?tab=all").content.decode()
    assert html.count("Shadow-banned (Commenter, for good).") == 1
    assert "(Address (hashed)" not in html
