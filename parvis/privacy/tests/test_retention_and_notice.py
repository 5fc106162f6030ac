"""Hashes expire after PARVIS_PRIVACY_HASH_DAYS (the worker's hourly task, with a controlled clock), and each site's
privacy page says what the settings in force do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import ApiClient
from parvis.comments.models import Comment, Flag, Vote
from parvis.core.models import Site
from parvis.privacy import retention, tasks
from parvis.privacy.models import AccessRequest, PrivacySettings

pytestmark = pytest.mark.django_db


def _comment(api: ApiClient, body: str, ip: str) -> Comment:
    answer = api.send(
        "post", "/comments", {"thread": {"key": "article-1"}, "body": body, "author": {"name": "Léa"}},
        REMOTE_ADDR=ip, HTTP_USER_AGENT="Firefox/140",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    return Comment.objects.get(pk=answer.json()["comment"]["id"])


def test_hashes_older_than_the_setting_are_blanked_and_newer_ones_kept(
    api: ApiClient, settings: Any, site: Site
) -> None:
    settings.PARVIS_PRIVACY_HASH_DAYS = 90
    now = timezone.now()
    old = _comment(api, "Un commentaire d'il y a longtemps.", "192.0.2.1")
    recent = _comment(api, "Un commentaire récent.", "192.0.2.2")
    Comment.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=90, seconds=1))
    Comment.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=89, hours=23))
    assert api.send("post", f"/comments/{recent.pk}/votes", {"value": 1}, REMOTE_ADDR="192.0.2.3").status_code == 200
    assert api.send("post", f"/comments/{old.pk}/votes", {"value": 1}, REMOTE_ADDR="192.0.2.3").status_code == 200
    report = api.send("post", f"/comments/{recent.pk}/flags", {"reason": "spam"}, REMOTE_ADDR="192.0.2.4")
    assert report.status_code in (200, 201), report.content
    Vote.objects.filter(comment=old).update(created_at=now - timedelta(days=91))
    Flag.objects.update(created_at=now - timedelta(days=91))

    done = retention.expire(now)
    assert (done.comments, done.votes, done.flags) == (1, 1, 1)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_hash, old.network_hash, old.user_agent_hash) == ("", "", "")
    assert recent.ip_hash and recent.network_hash and recent.user_agent_hash
    assert Vote.objects.get(comment=old).voter_key.startswith("expired:")
    assert Vote.objects.get(comment=recent).voter_key.startswith("ip:")
    assert Flag.objects.get().reporter_key.startswith("expired:")
    assert old.body_markdown == "Un commentaire d'il y a longtemps."  # only the traces go, never the comment
    # The next day, the comment that was one hour short of the limit loses its hashes too.
    assert retention.expire(now + timedelta(days=1)).comments == 1
    assert retention.expire(now + timedelta(days=1)) == retention.Expired(0, 0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_task_expires_hashes_and_schedules_its_next_run(api: ApiClient, site: Site, settings: Any) -> None:
    settings.PARVIS_PRIVACY_HASH_DAYS = 30
    old = _comment(api, "Ancien commentaire.", "192.0.2.5")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    stale = AccessRequest.objects.create(
        site=site, email="a@example.org", address_key="k", created_at=timezone.now() - timedelta(hours=25)
    )
    tasks.on_worker_start()
    tasks.on_worker_start()  # a second worker (or a restart) does not add a second run
    waiting = DBTaskResult.objects.filter(task_path=tasks.expire_hashes.module_path, status="READY")
    assert waiting.count() == 1
    before = timezone.now()
    # The database worker runs what is due, then exits (--batch); the next run waits an hour, so it stays queued.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity=0")
    done = DBTaskResult.objects.get(task_path=tasks.expire_hashes.module_path, status="SUCCESSFUL")
    assert done.return_value == "1 comment(s), 0 vote(s), 0 report(s), 1 request(s)"
    old.refresh_from_db()
    assert old.ip_hash == "" and not AccessRequest.objects.filter(pk=stale.pk).exists()
    [upcoming] = waiting.all()
    assert upcoming.run_after is not None
    assert upcoming.run_after >= before + timedelta(seconds=tasks.INTERVAL_SECONDS)


def test_the_privacy_page_says_what_the_settings_do(client: Client, site: Site, settings: Any) -> None:
    site.default_language = "en"
    site.save()
    settings.PARVIS_PRIVACY_HASH_DAYS = 45
    settings.PARVIS_AKISMET_KEY = ""
    settings.PARVIS_PERSPECTIVE_KEY = ""
    page = client.get("/privacy/news/").content.decode()
    assert "45 days, then blanked" in page
    assert "None: nothing you write leaves this server." in page and "Akismet" not in page
    assert "Your comments are deleted" in page
    assert 'href="/privacy/news/request/"' in page

    settings.PARVIS_AKISMET_KEY = "key-for-the-test"
    settings.PARVIS_AKISMET_URL = "https://spam-check.example"
    PrivacySettings.objects.create(site=site, erasure="anonymise")
    page = client.get("/privacy/news/").content.decode()
    assert "Akismet" in page and "spam-check.example" in page and "Perspective" not in page
    assert "with their text, signed “[deleted]”" in page
    notice = ApiClient(client, site).get("/privacy").json()
    assert [service["name"] for service in notice["services"]] == ["Akismet"]
    assert notice["erasure"] == "anonymise"


def test_pages_speak_the_sites_language_right_to_left(client: Client, site: Site) -> None:
    site.default_language = "he"
    site.save()
    for path in ("/privacy/news/", "/privacy/news/request/"):
        page = client.get(path).content.decode()
        assert '<html lang="he" dir="rtl">' in page, path
    assert '<html lang="en" dir="ltr">' in client.get("/privacy/news/?lang=en").content.decode()
    assert client.get("/privacy/nowhere/").status_code == 404
