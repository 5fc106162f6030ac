"""Files that are broken or built to hurt: each ends in one clear sentence or report line, never a traceback, and a
file that cannot be read leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from parvis.comments.models import Comment
from parvis.importers.tests.conftest import data_file
from parvis.threads.models import Thread

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel>")  # fmt: skip
TAIL = "</channel></rss>"


def comment(cid, body="Un avis.", parent=0, date="2024-03-01 10:00:00", approved="1", extra=""):
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>A{cid}</wp:comment_author>"
            f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt><wp:comment_content><![CDATA[{body}]]>"
            f"</wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_parent>{parent}</wp:comment_parent>{extra}</wp:comment>")  # fmt: skip


def item(post, *comments, link=None):
    link = link or f"https://news.example/{post}/"
    return f"<item><title>P{post}</title><link>{link}</link><wp:post_id>{post}</wp:post_id>{''.join(comments)}</item>"


def write(tmp_path: Path, text: str | bytes, name="export.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def assert_nothing_imported(output: str) -> None:
    assert output.startswith("Import failed: ")
    assert "Traceback" not in output
    assert Comment.objects.count() == 0 and Thread.objects.count() == 0


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  ']><rss><channel><item><title>&lol2;</title></item></channel></rss>')  # fmt: skip
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            "<rss><channel><item><title>&secret;</title></item></channel></rss>")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL, "DOCTYPE"),
        ('<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://example.org/evil.dtd"><rss/>', "DOCTYPE"),
        ("this is not XML at all", "not valid XML"),
        ("", "truncated"),
        (HEAD + item(1, comment(1)) + "<item><title>cut he", "truncated"),
        (HEAD.encode() + item(1, comment(1, body="caf\xe9")).encode("latin-1") + TAIL.encode(), "encoding"),
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "not-xml", "empty", "truncated", "wrong-encoding"],
)
def test_an_unreadable_or_hostile_file_is_refused_whole_with_a_sentence(cli, site, tmp_path, text, says):
    status, output = cli("import", "wordpress", write(tmp_path, text), "--site", site.slug)
    assert status == 1
    assert says in output
    assert_nothing_imported(output)


def test_a_truncated_real_export_imports_nothing(cli, site, tmp_path):
    whole = data_file("wordpress-theme-unit-test.xml").read_bytes()
    status, output = cli("import", "wordpress", write(tmp_path, whole[: len(whole) * 2 // 3]), "--site", site.slug)
    assert status == 1 and "truncated" in output
    assert_nothing_imported(output)


def test_odd_dates_duplicate_ids_missing_parents_and_cycles_are_each_a_report_line(cli, site, tmp_path):
    text = (
        HEAD
        + item(
            7,
            comment(1, date="0000-00-00 00:00:00"),
            comment(2, parent=1, date="2024-13-45 99:99:99"),
            comment(2, body="the same id again"),
            comment(3, parent=404),
            comment(4, parent=5),
            comment(5, parent=4),
            comment(6, parent=6),
            comment(8, approved="maybe"),
        )
        + TAIL
    )
    status, output = cli("import", "wordpress", write(tmp_path, text), "--site", site.slug)
    assert status == 0, output
    assert "Traceback" not in output
    assert "comment 7/1: no readable date; dated at the time of the import" in output
    assert "comment 7/2: the same id appears earlier in the file; the first is kept" in output
    assert "comment 7/3: its parent 7/404 is not in the thread" in output
    assert "comment 7/4: parents form a cycle (7/4 → 7/5 → 7/4); made top level" in output
    assert "comment 7/6: parents form a cycle (7/6 → 7/6); made top level" in output
    assert "unknown approval status 'maybe'; imported as pending" in output
    thread = Thread.objects.get()
    by_author = {c.author_name: c for c in Comment.objects.filter(thread=thread)}
    assert len(by_author) == 7
    assert by_author["A3"].parent_id is None
    assert by_author["A4"].parent_id is None and by_author["A5"].parent_id == by_author["A4"].pk
    assert by_author["A8"].status == "pending"
    assert thread.comment_count == 6


def test_a_ten_megabyte_comment_is_skipped_and_named_the_rest_comes_in(cli, site, tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    text = HEAD + item(1, comment(1), comment(2, body=huge), comment(3, parent=2)) + TAIL
    status, output = cli("import", "wordpress", write(tmp_path, text), "--site", site.slug)
    assert status == 0
    assert "comment 1/2: 10,485,760 characters, more than the 100,000 an import accepts" in output
    assert "comment 1/3: its parent 1/2 is not in the thread (or was skipped)" in output
    assert Comment.objects.count() == 2


def test_comments_of_a_thread_missing_from_a_disqus_file_are_skipped_by_name(cli, site, tmp_path):
    text = ('<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
            '<thread dsq:id="1"><id>a1</id><link>https://news.example/a1</link><title>A1</title></thread>'
            '<post dsq:id="10"><message>Hello</message><createdAt>2020-01-01T00:00:00Z</createdAt>'
            '<thread dsq:id="1"/></post>'
            '<post dsq:id="11"><message>Lost</message><createdAt>2020-01-01T00:00:00Z</createdAt>'
            '<thread dsq:id="99"/></post>'
            '<post dsq:id="12"><message>Odd date</message><createdAt>yesterday</createdAt><thread dsq:id="1"/>'
            '<parent dsq:id="10"/></post></disqus>')  # fmt: skip
    status, output = cli("import", "disqus", write(tmp_path, text), "--site", site.slug)
    assert status == 0
    assert "comment 11: its thread 99 is not in the file" in output
    assert "comment 12: no readable date" in output
    assert Comment.objects.count() == 2


def test_broken_json_and_a_json_that_is_not_an_export_are_refused(cli, site, tmp_path):
    for text, says in (('[{"id": "/a/", "comments": [', "not valid JSON"), ('{"a": 1}', "list of threads")):
        status, output = cli("import", "isso", write(tmp_path, text, "isso.json"), "--site", site.slug)
        assert status == 1 and says in output
        assert_nothing_imported(output)
    for text, says in (('{"format": "parvis", "version": 1, "threads": [{"id": 1', "truncated"),
                       ('{"format": "other", "threads": []}', "not a Parvis export"),
                       (b'{"format": "parvis", "version": 1, "threads": [\xff]}', "UTF-8")):  # fmt: skip
        status, output = cli("import", "parvis", write(tmp_path, text, "parvis.json"), "--site", site.slug)
        assert status == 1 and says in output, output
        assert_nothing_imported(output)


def test_an_unknown_site_and_a_missing_file_are_named(cli, site, tmp_path):
    assert cli("import", "wordpress", tmp_path / "nope.xml", "--site", site.slug) == (
        2, f"parvis: no such file: {tmp_path / 'nope.xml'}\n")  # fmt: skip
    status, output = cli("import", "wordpress", write(tmp_path, HEAD + TAIL), "--site", "nosuchsite")
    assert status == 2 and "no site 'nosuchsite'" in output


def test_a_dry_run_reports_everything_and_writes_nothing(cli, site):
    status, output = cli("import", "wordpress", data_file("wordpress-theme-unit-test.xml"), "--site", site.slug,
                         "--dry-run")  # fmt: skip
    assert status == 0
    assert output.startswith("Would import from wordpress: 7 threads")
    assert "Dry run: nothing was written." in output
    assert Comment.objects.count() == 0 and Thread.objects.count() == 0


def test_a_rerun_updates_what_the_source_changed_and_keeps_what_moderators_decided(cli, site, tmp_path):
    comments = comment(1, "Premier avis."), comment(2, "Deuxième.", parent=1), comment(4, "Un autre.")
    first = HEAD + item(3, *comments) + TAIL
    cli("import", "wordpress", write(tmp_path, first), "--site", site.slug)
    Comment.objects.filter(body_markdown="Un autre.").update(status="rejected")  # a moderator's decision in Parvis
    changed = HEAD + item(3, comment(1, "Premier avis, corrigé."), comment(2, "Deuxième.", parent=1, approved="spam"),
                          comment(4, "Un autre.")) + TAIL  # fmt: skip
    status, output = cli("import", "wordpress", write(tmp_path, changed), "--site", site.slug)
    assert status == 0
    assert "3 comments (0 new, 2 updated, 1 unchanged)" in output
    assert Comment.objects.count() == 3
    assert Comment.objects.filter(body_markdown="Premier avis, corrigé.").exists()
    assert Comment.objects.get(body_markdown="Deuxième.").status == "spam"
    assert Comment.objects.get(body_markdown="Un autre.").status == "rejected"
    assert Thread.objects.get().comment_count == 1


def test_a_rerun_shows_its_changes_in_the_next_read_of_a_kept_thread_page(cli, site, tmp_path, api):
    link = "https://news.example/a"
    cli(
        "import",
        "wordpress",
        write(tmp_path, HEAD + item(3, comment(1, "Avant."), link=link) + TAIL),
        "--site",
        site.slug,
    )
    thread = Thread.objects.get()
    before = api.thread(key=thread.key).json()
    assert [c["html"] for c in before["comments"]] == ['<p dir="auto">Avant.</p>']
    cli(
        "import",
        "wordpress",
        write(tmp_path, HEAD + item(3, comment(1, "Après."), link=link) + TAIL),
        "--site",
        site.slug,
    )
    after = api.thread(key=thread.key).json()  # the page kept by the first read is out of date
    assert [c["html"] for c in after["comments"]] == ['<p dir="auto">Après.</p>']
