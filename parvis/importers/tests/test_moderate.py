"""`--moderate`: the moderation engine reads the imported history and says what it would hold or remove; it changes
nothing unless `--apply`, and then each change is an audited decision, with the thread's count kept right."""

from __future__ import annotations

from parvis.comments.models import Comment
from parvis.importers.tests.test_hostile_files import HEAD, TAIL, comment, item, write
from parvis.moderation.models import AuditEntry, Decision
from parvis.threads.models import Thread

PHONE = "Appelez-moi au 06 12 34 56 78 ou écrivez à lea.martin@example.org pour en parler."
FILE = HEAD + item(1, comment(1, "Très bon article, merci pour ce travail."), comment(2, PHONE)) + TAIL


def test_moderate_reports_what_it_would_hold_and_changes_nothing(cli, site, tmp_path):
    status, output = cli("import", "wordpress", write(tmp_path, FILE), "--site", site.slug, "--moderate")
    assert status == 0, output
    assert "Moderation of 2 published imported comments: would hold or remove 1" in output
    assert "personal_data" in output and "--moderate --apply" in output
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert not Decision.objects.exists()
    assert Thread.objects.get().comment_count == 2


def test_moderate_apply_holds_them_as_audited_decisions(cli, site, tmp_path):
    status, output = cli("import", "wordpress", write(tmp_path, FILE), "--site", site.slug, "--moderate", "--apply")
    assert status == 0, output
    assert "held or removed 1" in output
    held = Comment.objects.get(body_markdown__startswith="Appelez")
    assert held.status == "pending"
    assert Decision.objects.get(comment=held).categories == ["personal_data"]
    entry = AuditEntry.objects.get(comment=held)
    assert entry.action == "comment.hold" and entry.details["status"] == {"before": "approved", "after": "pending"}
    assert Thread.objects.get().comment_count == 1
    assert AuditEntry.objects.filter(action="import.completed").count() == 1


def test_apply_without_moderate_is_refused(cli, site, tmp_path):
    status, output = cli("import", "wordpress", write(tmp_path, FILE), "--site", site.slug, "--apply")
    assert status == 2 and "--apply goes with --moderate" in output
