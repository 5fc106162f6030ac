"""The real export files of ../shared/data/import, imported through `parvis import`; what should come out is worked
out here by reading each file again with the standard library, so the tests follow the files, not numbers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # the trusted sample files, read independently of the importer
from datetime import UTC, datetime

import pytest

from parvis.comments.models import Comment
from parvis.importers.models import ImportedComment
from parvis.importers.tests.conftest import data_file
from parvis.threads.models import Thread

WP_STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "rejected"}


def wxr_expectations(path, keep_pings=False):
    """{source id: (thread source id, parent source id or None, status, GMT date, author)} read with ElementTree."""
    expected = {}
    for item in ET.parse(path).getroot().iter("item"):  # noqa: S314
        fields = {child.tag.rsplit("}", 1)[-1]: child for child in item}
        thread = (fields["post_id"].text if "post_id" in fields else None) or fields["link"].text.strip()
        for comment in [child for child in item if child.tag.endswith("}comment")]:
            value = {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in comment}
            if value.get("comment_type") in ("pingback", "trackback") and not keep_pings:
                continue
            sid = f"{thread}/{value['comment_id']}"
            if sid in expected:
                continue
            parent = value.get("comment_parent", "0")
            date = value.get("comment_date_gmt") or value["comment_date"]
            expected[sid] = (thread, f"{thread}/{parent}" if parent != "0" else None,
                             WP_STATUS[value.get("comment_approved", "1")],
                             datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC),
                             value["comment_author"])  # fmt: skip
    return expected


def imported(source):
    return {m.source_id: m.comment for m in ImportedComment.objects.filter(source=source).select_related("comment")}


def check_against(expected, comments):
    assert set(comments) == set(expected)
    for sid, (_thread, parent, status, date, _author) in expected.items():
        comment = comments[sid]
        assert comment.status == status, sid
        assert comment.created_at == date, sid
        wanted_parent = comments[parent].pk if parent in comments else None
        assert comment.parent_id == wanted_parent, sid
        if wanted_parent:
            ancestor = comments[parent]
            assert comment.root_id == (ancestor.root_id or ancestor.pk)
            assert comment.depth == ancestor.depth + 1
        else:
            assert comment.root_id is None and comment.depth == 0
    for thread in Thread.objects.all():
        published = Comment.objects.filter(thread=thread, status="approved")
        assert thread.comment_count == published.count()
        if published:
            assert thread.last_comment_at == max(c.created_at for c in published)


def test_the_wordpress_theme_export_comes_in_with_its_threads_replies_statuses_and_gmt_dates(cli, site):
    path = data_file("wordpress-theme-unit-test.xml")
    expected = wxr_expectations(path)
    status, output = cli("import", "wordpress", path, "--site", site.slug)
    assert status == 0, output
    check_against(expected, imported("wordpress"))
    assert Thread.objects.filter(site=site).count() == len({thread for thread, *_ in expected.values()})
    assert "4 pingback/trackback" in output
    # The depth-10 chain of the template-comments post is a chain in Parvis too.
    deepest = max(Comment.objects.all(), key=lambda c: c.depth)
    assert deepest.depth == 9 and "Comment Depth 10" in deepest.body_markdown
    greek = Comment.objects.get(body_markdown__startswith="We are totally going to blog")
    assert greek.author_name == "John Μαρία Doe Ντουε" and greek.author_website == "http://example.org/"


def test_html_of_wordpress_comments_is_sanitized_like_a_new_comment(cli, site):
    cli("import", "wordpress", data_file("wordpress-theme-unit-test.xml"), "--site", site.slug)
    markup = Comment.objects.get(body_markdown__contains="Header one")
    assert "<strong>Headings</strong>" in markup.body_html
    assert "<h1" not in markup.body_html and "<script" not in markup.body_html
    image = Comment.objects.get(body_markdown__startswith="Image comment.")
    assert "<img" not in image.body_html


def test_running_the_same_import_again_doubles_nothing(cli, site):
    path = data_file("wordpress-theme-unit-test.xml")
    cli("import", "wordpress", path, "--site", site.slug)
    before = Comment.objects.count(), Thread.objects.count()
    status, output = cli("import", "wordpress", path, "--site", site.slug)
    assert status == 0
    assert (Comment.objects.count(), Thread.objects.count()) == before
    assert f"0 new, 0 updated, {before[0]} unchanged" in output


def test_pingbacks_and_trackbacks_come_in_when_asked(cli, site):
    path = data_file("wordpress-theme-unit-test.xml")
    cli("import", "wordpress", path, "--site", site.slug, "--pings")
    check_against(wxr_expectations(path, keep_pings=True), imported("wordpress"))


def test_the_isso_wxr_fixture_keeps_comments_of_two_posts_that_share_an_id(cli, site):
    path = data_file("isso-wordpress.xml")
    status, output = cli("import", "wordpress", path, "--site", site.slug)
    assert status == 0, output
    check_against(wxr_expectations(path), imported("wordpress"))
    multiline = Comment.objects.get(author_name="Multiline Author")
    assert (
        multiline.body_html
        == '<p dir="auto">When you have a comment with multiple lines:<br>\nWordPress exports it like this.</p>'
    )


def test_the_disqus_export_comes_in_with_parents_deleted_and_spam_posts(cli, site):
    path = data_file("isso-disqus.xml")
    ns = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
    dsq = "{http://disqus.com/disqus-internals}id"
    root = ET.parse(path).getroot()  # noqa: S314
    threads = {t.get(dsq) for t in root.findall("d:thread", ns)}
    posts = {}
    for post in root.findall("d:post", ns):
        thread = post.find("d:thread", ns).get(dsq)
        if thread not in threads:
            continue
        parent = post.find("d:parent", ns)
        status = ("spam" if post.findtext("d:isSpam", "", ns) == "true"
                  else "deleted" if post.findtext("d:isDeleted", "", ns) == "true" else "approved")  # fmt: skip
        date = datetime.fromisoformat(post.findtext("d:createdAt", "", ns).replace("Z", "+00:00"))
        posts[post.get(dsq)] = (thread, parent.get(dsq) if parent is not None else None, status, date, "")
    status, output = cli("import", "disqus", path, "--site", site.slug)
    assert status == 0, output
    check_against(posts, imported("disqus"))
    assert "comment 6: its thread 1337 is not in the file" in output
    assert Thread.objects.get(key="some-id").title == "Hello, World!"


def test_isso_generic_json_is_keyed_by_page_url_with_a_base_url(cli, site):
    path = data_file("isso-generic.json")
    data = json.loads(path.read_text())
    status, output = cli("import", "isso", path, "--site", site.slug, "--base-url", "https://news.example")
    assert status == 0, output
    for thread in data:
        stored = Thread.objects.get(site=site, key=f"https://news.example{thread['id']}")
        texts = [c.body_markdown for c in Comment.objects.filter(thread=stored)]
        assert texts == [comment["text"].strip() for comment in thread["comments"]]


@pytest.mark.parametrize("base_url", ["", "https://news.example"])
def test_an_isso_database_comes_in_with_its_replies_votes_and_modes(cli, site, tmp_path, base_url):
    import sqlite3

    database = tmp_path / "comments.db"
    connection = sqlite3.connect(database)
    connection.executescript("""
        CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
        CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
            created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR,
            author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0,
            voters BLOB NOT NULL, notification INTEGER DEFAULT 0);
        INSERT INTO threads VALUES (1, '/2024/budget/', 'Le budget');
        INSERT INTO comments VALUES (1, 1, NULL, 1704067200.5, NULL, 1, '', 'Premier **avis**', 'Léa',
            'lea@example.org', NULL, 3, 1, x'', 0);
        INSERT INTO comments VALUES (1, 2, 1, 1704070800, NULL, 2, '', 'Une réponse en attente', 'Sam', NULL, NULL,
            0, 0, x'', 0);
        INSERT INTO comments VALUES (1, 3, 1, 1704074400, NULL, 4, '', '', NULL, NULL, NULL, 0, 0, x'', 0);
    """)
    connection.commit()
    connection.close()
    args = ["--base-url", base_url] if base_url else []
    status, output = cli("import", "isso", database, "--site", site.slug, *args)
    assert status == 0, output
    thread = Thread.objects.get(key=f"{base_url}/2024/budget/")
    first, reply, deleted = Comment.objects.filter(thread=thread).order_by("created_at")
    assert (first.status, reply.status, deleted.status) == ("approved", "pending", "deleted")
    assert reply.parent_id == first.pk and deleted.parent_id == first.pk
    assert (first.upvotes, first.downvotes, first.score) == (3, 1, 2)
    assert first.body_html == '<p dir="auto">Premier <strong>avis</strong></p>'
    assert first.created_at == datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert thread.comment_count == 1
