"""Who may see and decide what: anonymous visitors sign in first, journalists read, moderators decide on their own
sites only, and another site's comments do not exist for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parvis.comments.models import Status
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.permissions import sites_for
from parvis.dashboard.tests.conftest import PASSWORD, held, signed_in

HX = {"HX-Request": "true"}


def decide(client: Client, comment: Any, action: str = "publish", **extra: Any) -> Any:
    seen = comment.decisions.order_by("-created_at", "-pk").first().pk
    return client.post(f"/moderate/comments/{comment.pk}/decide", {"action": action, "seen": seen, **extra}, headers=HX)


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [("get", "/moderate/"), ("post", "/moderate/undo")])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, method: str, path: str) -> None:
    answer = getattr(client, method)(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
def test_an_anonymous_decision_is_sent_to_the_login_page_and_changes_nothing(client: Client, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    answer = decide(client, comment)
    assert answer.status_code == 302 and "/moderate/login/" in answer["Location"]
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.django_db
def test_a_moderator_signs_in_with_the_login_form_and_reaches_the_queue(client: Client, moderator: Any) -> None:
    page = client.get("/moderate/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    answer = client.post("/moderate/login/", {"username": "mona", "password": PASSWORD, "next": "/moderate/"})
    assert answer.status_code == 302 and answer["Location"] == "/moderate/"
    assert client.get("/moderate/").status_code == 200
    assert client.post("/moderate/logout/").status_code == 302
    assert client.get("/moderate/").status_code == 302


@pytest.mark.django_db
def test_a_signed_in_user_without_a_membership_is_refused(django_user_model: Any, site: Any) -> None:
    nobody = django_user_model.objects.create_user(username="nobody", password=PASSWORD)
    assert signed_in(nobody).get("/moderate/").status_code == 403


@pytest.mark.django_db
def test_a_journalist_reads_the_queue_but_cannot_decide(journalist: Any, site: Any) -> None:
    comment = held(site, "Un commentaire à lire.")
    client = signed_in(journalist)
    page = client.get("/moderate/")
    assert page.status_code == 200 and "Un commentaire à lire." in page.content.decode()
    assert b'data-key="a"' not in page.content  # no decision buttons
    assert decide(client, comment).status_code == 403
    undo = client.post("/moderate/undo", headers=HX)
    assert undo.status_code == 409  # nothing of theirs to undo
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.django_db
def test_a_moderator_of_another_site_gets_404_and_never_sees_the_comment(
    other_moderator: Any, moderator: Any, site: Any
) -> None:
    comment = held(site, "Texte confidentiel de News.")
    client = signed_in(other_moderator)
    assert decide(client, comment).status_code == 404
    missing = client.post("/moderate/comments/999999/decide", {"action": "publish", "seen": 0}, headers=HX)
    assert missing.status_code == 404  # the same answer as for a comment that exists elsewhere
    huge = client.post(f"/moderate/comments/{10**30}/decide", {"action": "publish", "seen": 0}, headers=HX)
    assert huge.status_code == 404
    for tab in ("pending", "all"):
        assert "Texte confidentiel" not in client.get("/moderate/", {"tab": tab}).content.decode()
    # Naming the other site in the filter does not open it either.
    assert "Texte confidentiel" not in client.get("/moderate/", {"site": "news"}).content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.django_db
def test_a_superuser_sees_and_decides_on_every_site(superuser: Any, site: Any, other_site: Any) -> None:
    here, there = held(site, "Sur News."), held(other_site, "Sur Other.")
    client = signed_in(superuser)
    page = client.get("/moderate/").content.decode()
    assert "Sur News." in page and "Sur Other." in page
    assert decide(client, there).status_code == 200
    there.refresh_from_db()
    assert there.status == Status.APPROVED
    assert {s.slug for s in sites_for(superuser)} == {"news", "other"}
    assert here.pk


@pytest.mark.django_db
def test_sites_for_filters_by_role(django_user_model: Any, site: Any, other_site: Any) -> None:
    user = django_user_model.objects.create_user(username="both", password=PASSWORD)
    Membership.objects.create(user=user, site=site, role=Role.MODERATOR)
    Membership.objects.create(user=user, site=other_site, role=Role.JOURNALIST)
    assert [s.slug for s in sites_for(user)] == ["news", "other"]
    assert [s.slug for s in sites_for(user, [Role.MODERATOR, Role.OWNER])] == ["news"]


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(moderator: Any, site: Any) -> None:
    comment = held(site, "Un commentaire.")
    client = signed_in(moderator, enforce_csrf_checks=True)
    seen = comment.decisions.get().pk
    refused = client.post(f"/moderate/comments/{comment.pk}/decide", {"action": "publish", "seen": seen}, headers=HX)
    assert refused.status_code == 403
    assert client.post("/moderate/undo", headers=HX).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    # The token the page carries is accepted.
    client.get("/moderate/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"/moderate/comments/{comment.pk}/decide",
        {"action": "publish", "seen": seen, "csrfmiddlewaretoken": token},
        headers=HX,
    )
    assert accepted.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


@pytest.mark.django_db
def test_the_login_form_needs_the_csrf_token(moderator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    answer = client.post("/moderate/login/", {"username": "mona", "password": PASSWORD})
    assert answer.status_code == 403


@pytest.mark.django_db
def test_membership_is_in_the_admin(admin_client: Client, moderator: Any) -> None:
    page = admin_client.get("/admin/dashboard/membership/")
    assert page.status_code == 200 and "mona" in page.content.decode()


@pytest.mark.django_db
def test_signing_in_without_a_next_page_leads_to_the_queue(client: Client, moderator: Any) -> None:
    answer = client.post("/moderate/login/", {"username": "mona", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/moderate/"
    wrong = Client().post("/moderate/login/", {"username": "mona", "password": "wrong"})
    assert wrong.status_code == 200 and "didn" in wrong.content.decode()
