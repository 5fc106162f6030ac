"""Staff alerts: the site's owners and moderators get one email when the queue passes the site's threshold and one
per comment reported the set number of times, delivered to a real SMTP server; journalists get none."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ApiClient
from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.dashboard.models import Membership, Role
from parvis.moderation.actions import set_status
from parvis.notifications import alerts, outbox
from parvis.notifications.models import SiteEmailSettings
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(site: Site, django_user_model: Any) -> dict[str, Any]:
    people = {}
    for name, role in (("owner", Role.OWNER), ("moderator", Role.MODERATOR), ("journalist", Role.JOURNALIST)):
        user = django_user_model.objects.create_user(name, f"{name}@newsroom.example", "a long enough password")
        Membership.objects.create(user=user, site=site, role=role)
        people[name] = user
    return people


def held(api: ApiClient, count: int, first: int = 0) -> list[int]:
    """Post comments the moderation holds (a phone number is personal data)."""
    ids = []
    for number in range(first, first + count):
        answer = api.post_comment(f"Appelez-moi au 06 12 34 56 {number:02d}", name=f"Lecteur {number}")
        assert answer.status_code in (201, 202), answer.content
        ids.append(int(answer.json()["comment"]["id"]))
    assert Comment.objects.filter(pk__in=ids, status=Status.PENDING).count() == count
    return ids


def recipients(smtp: SmtpServer, count: int) -> list[str]:
    """The addresses of the first ``count`` emails (the SMTP server hands them over from its own thread)."""
    return sorted(str(message["To"]) for message in smtp.wait_for(count)[:count])


def test_a_queue_past_the_threshold_alerts_owners_and_moderators_once_until_it_falls_back(
    api: ApiClient, site: Site, staff: dict[str, Any], smtp: SmtpServer
) -> None:
    SiteEmailSettings.objects.create(site=site, queue_alert_threshold=3)
    first = held(api, 2)
    assert alerts.check_all() == 0  # 2 waiting, under the threshold of 3
    held(api, 1, first=2)
    assert alerts.check_all() == 2  # the owner and the moderator, not the journalist
    assert alerts.check_all() == 0  # the minute tick runs again: no second alert while the queue stays long
    outbox.deliver_due()
    assert recipients(smtp, 2) == ["moderator@newsroom.example", "owner@newsroom.example"]
    assert "3" in str(smtp.messages[0]["Subject"]) and site.name in str(smtp.messages[0]["Subject"])
    assert "/moderate/" in smtp.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # The moderators clear part of the queue; when it grows past the threshold again, they hear of it again.
    for comment_id in first:
        set_status(Comment.objects.get(pk=comment_id), Status.APPROVED)
    assert alerts.check_all() == 0
    held(api, 2, first=3)
    assert alerts.check_all() == 2
    outbox.deliver_due()
    assert len(smtp.wait_for(4)) == 4
    assert "journalist@newsroom.example" not in {str(message["To"]) for message in smtp.messages}


def test_a_comment_reported_n_times_alerts_the_staff_once(
    api: ApiClient, client: Any, site: Site, staff: dict[str, Any], smtp: SmtpServer
) -> None:
    SiteEmailSettings.objects.create(site=site, report_alert_threshold=2)
    posted = api.post_comment("Un avis tranché sur la réforme.").json()["comment"]
    flags = f"/api/v1/sites/{site.slug}/comments/{posted['id']}/flags"

    def report(address: str) -> None:
        answer = client.post(
            flags, {"reason": "abuse"}, content_type="application/json", HTTP_ORIGIN=api.origin, REMOTE_ADDR=address
        )
        assert answer.status_code == 201, answer.content

    report("203.0.113.1")
    assert alerts.check_all() == 0
    report("203.0.113.2")
    report("203.0.113.3")
    assert alerts.check_all() == 2
    assert alerts.check_all() == 0
    outbox.deliver_due()
    assert recipients(smtp, 2) == ["moderator@newsroom.example", "owner@newsroom.example"]
    body = smtp.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Un avis tranché sur la réforme." in body and "tab=reported" in body


def test_thresholds_at_zero_send_nothing(api: ApiClient, site: Site, staff: dict[str, Any], smtp: SmtpServer) -> None:
    SiteEmailSettings.objects.create(site=site)
    held(api, 3)
    assert alerts.check_all() == 0


def test_an_administrator_sets_the_thresholds_in_the_admin_and_the_next_tick_uses_them(
    api: ApiClient, site: Site, staff: dict[str, Any], smtp: SmtpServer, admin_client: Any
) -> None:
    answer = admin_client.post(
        "/admin/notifications/siteemailsettings/add/",
        {"site": site.pk, "accent_colour": "#1a5fb4", "queue_alert_threshold": 2, "report_alert_threshold": 0},
    )
    assert answer.status_code == 302, answer.content
    held(api, 2)
    assert alerts.check_all() == 2
    outbox.deliver_due()
    assert recipients(smtp, 2) == ["moderator@newsroom.example", "owner@newsroom.example"]
    assert "moderator@newsroom.example" in admin_client.get("/admin/notifications/outboxmessage/").content.decode()


def test_alert_subjects_agree_with_their_count(
    api: ApiClient, client: Any, site: Site, staff: dict[str, Any], smtp: SmtpServer
) -> None:
    SiteEmailSettings.objects.create(site=site, queue_alert_threshold=1, report_alert_threshold=1)
    Site.objects.filter(pk=site.pk).update(default_language="en")  # alerts speak the site's language
    held(api, 1)
    posted = api.post_comment("Un avis tranché sur la réforme.").json()["comment"]
    answer = client.post(
        f"/api/v1/sites/{site.slug}/comments/{posted['id']}/flags", {"reason": "abuse"},
        content_type="application/json", HTTP_ORIGIN=api.origin, REMOTE_ADDR="203.0.113.1",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert alerts.check_all() == 4
    outbox.deliver_due()
    subjects = {str(message["Subject"]) for message in smtp.wait_for(4)}
    assert subjects == {
        f"1 comment waits for moderation on {site.name}",
        f"A comment was reported 1 time on {site.name}",
    }
