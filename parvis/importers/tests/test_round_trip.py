"""Export → import into an empty database gives the same threads and comments (JSON: everything; WXR: what WXR
can say), and the export is also a streamed download from the admin."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment
from parvis.comments.ranking import wilson_lower_bound
from parvis.core.models import Site
from parvis.importers.models import ImportedComment, ImportedThread
from parvis.importers.tests.conftest import data_file
from parvis.threads.models import Thread


def snapshot(site):
    """Threads and comments as a reader (and a moderator) sees them, without the database's own ids."""
    threads = {}
    for thread in Thread.objects.filter(site=site):
        comments = (
            Comment.objects.filter(thread=thread).select_related("commenter", "parent").order_by("created_at", "id")
        )
        position = {c.pk: index for index, c in enumerate(comments)}
        threads[thread.url or thread.key] = {
            "url": thread.url, "title": thread.title, "closed": thread.is_closed, "count": thread.comment_count,
            "last": thread.last_comment_at,
            "comments": [(position.get(c.parent_id), c.depth, c.status, c.created_at, c.author_name,
                          c.commenter.email if c.commenter else "", c.author_website, c.body_markdown, c.body_html,
                          c.upvotes, c.downvotes, c.rank, c.language, c.pinned, c.anchor_exact)
                         for c in comments],
        }  # fmt: skip
    return threads


def empty_database():
    for model in (ImportedComment, ImportedThread, Comment, Thread, Commenter):
        model.objects.all().delete()


def test_a_json_export_imported_into_an_empty_database_gives_the_same_threads_and_comments(cli, site, tmp_path):
    cli("import", "wordpress", data_file("wordpress-theme-unit-test.xml"), "--site", site.slug)
    Comment.objects.filter(body_markdown__startswith="Anonymous").update(
        upvotes=4, downvotes=1, score=3, rank=wilson_lower_bound(4, 1), pinned=True, language="en",
        anchor_exact="a passage",
    )  # fmt: skip
    before = snapshot(site)
    export = tmp_path / "export.json"
    status, output = cli("export", "--site", site.slug, "--format", "json", "-o", export)
    assert status == 0, output
    document = json.loads(export.read_text())
    assert document["format"] == "parvis" and document["version"] == 1
    empty_database()
    other = Site.objects.create(slug="copy", name="Copy")
    status, output = cli("import", "parvis", export, "--site", other.slug)
    assert status == 0, output
    after = snapshot(other)
    assert after.keys() == before.keys()
    for key, thread in before.items():
        assert {**after[key], "comments": None} == {**thread, "comments": None}
        for mine, theirs in zip(after[key]["comments"], thread["comments"], strict=True):
            assert mine == theirs
    assert Comment.objects.filter(thread__site=other).count() == sum(len(t["comments"]) for t in document["threads"])


def test_a_wxr_export_imports_back_with_the_same_tree_statuses_and_dates(cli, site, tmp_path):
    cli("import", "disqus", data_file("isso-disqus.xml"), "--site", site.slug)
    cli("import", "wordpress", data_file("isso-wordpress.xml"), "--site", site.slug)
    before = snapshot(site)
    export = tmp_path / "export.xml"
    assert cli("export", "--site", site.slug, "--format", "wxr", "-o", export)[0] == 0
    empty_database()
    other = Site.objects.create(slug="copy", name="Copy")
    status, output = cli("import", "wordpress", export, "--site", other.slug)
    assert status == 0, output
    after = snapshot(other)
    assert after.keys() == before.keys()
    for key, thread in before.items():
        # WXR has no language, pins or anchors, and deleted comments become trash (rejected).
        strip = [(p, d, "rejected" if s == "deleted" else s, when, name, mail, web, md)
                 for p, d, s, when, name, mail, web, md, *_ in thread["comments"]]  # fmt: skip
        assert [(p, d, s, when, name, mail, web, md) for p, d, s, when, name, mail, web, md, *_ in
                after[key]["comments"]] == strip  # fmt: skip


def test_the_admin_streams_a_sites_export(client, site, cli):
    cli("import", "wordpress", data_file("isso-wordpress.xml"), "--site", site.slug)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(admin)
    answer = client.post("/admin/core/site/", {"action": "export_site_json", "_selected_action": [site.pk]})
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Disposition"] == 'attachment; filename="parvis-news.json"'
    document = json.loads(b"".join(answer.streaming_content))
    assert sum(len(t["comments"]) for t in document["threads"]) == Comment.objects.count()
    thread = Thread.objects.order_by("pk").first()
    answer = client.post("/admin/threads/thread/", {"action": "export_threads_wxr", "_selected_action": [thread.pk]})
    body = b"".join(answer.streaming_content).decode()
    assert body.count("<item>") == 1 and body.count("<wp:comment>") == Comment.objects.filter(thread=thread).count()


def test_a_sites_own_export_imported_into_it_again_doubles_nothing_and_updates_what_the_file_changed(
    cli, site, tmp_path
):
    cli("import", "wordpress", data_file("wordpress-theme-unit-test.xml"), "--site", site.slug)
    before, count = snapshot(site), Comment.objects.count()
    export = tmp_path / "export.json"
    assert cli("export", "--site", site.slug, "--format", "json", "-o", export)[0] == 0
    for _ in range(2):
        status, output = cli("import", "parvis", export, "--site", site.slug)
        assert status == 0, output
        assert f"{count} comments (0 new, 0 updated, {count} unchanged)" in output
        assert Comment.objects.count() == count and Thread.objects.count() == len(before)
        assert snapshot(site) == before
    # A moderator's decision after the import stands when the same file comes in again ...
    decided = Comment.objects.filter(status="approved").order_by("pk").first()
    Comment.objects.filter(pk=decided.pk).update(status="rejected")
    assert cli("import", "parvis", export, "--site", site.slug)[0] == 0
    assert Comment.objects.get(pk=decided.pk).status == "rejected"
    # ... and what the file changes is updated in place.
    document = json.loads(export.read_text())
    edited = next(c for t in document["threads"] for c in t["comments"] if c["id"] != decided.pk)
    edited["body_markdown"] = "Corrected in the export."
    export.write_text(json.dumps(document))
    status, output = cli("import", "parvis", export, "--site", site.slug)
    assert f"{count} comments (0 new, 1 updated, {count - 1} unchanged)" in output
    assert Comment.objects.count() == count
    assert Comment.objects.get(pk=edited["id"]).body_markdown == "Corrected in the export."


def test_another_sites_export_imported_twice_is_copied_once(cli, site, tmp_path):
    cli("import", "wordpress", data_file("isso-wordpress.xml"), "--site", site.slug)
    export = tmp_path / "export.json"
    assert cli("export", "--site", site.slug, "--format", "json", "-o", export)[0] == 0
    count = Comment.objects.count()
    other = Site.objects.create(slug="copy", name="Copy")
    for _ in range(2):
        assert cli("import", "parvis", export, "--site", other.slug)[0] == 0
        assert Comment.objects.filter(thread__site=other).count() == count
    assert Comment.objects.filter(thread__site=site).count() == count
