"""A generated export of some thousands of comments: read as a stream (memory does not grow with the file), every
comment in its place, and the speed-minded write path gives the same rows the comment actions would."""

from __future__ import annotations

import tracemalloc

from parvis.comments import rendering
from parvis.comments.models import MAX_DEPTH, Comment
from parvis.importers.records import CommentRecord
from parvis.importers.samples import write_wxr
from parvis.importers.wordpress import WordPressSource
from parvis.importers.writer import BATCH
from parvis.threads.models import Thread

COMMENTS = 3000


def test_reading_a_large_export_holds_one_record_at_a_time(tmp_path):
    many = 4 * COMMENTS
    path = write_wxr(tmp_path / "big.xml", many, per_thread=many)  # one post: the worst case for a tree
    size = path.stat().st_size
    tracemalloc.start()
    with path.open("rb") as file:
        read = sum(isinstance(record, CommentRecord) for record in WordPressSource(file).records())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert read == many
    # The records themselves are handed on, not kept: the parser's own peak is a small part of the file.
    assert peak < size / 10, f"peak {peak} bytes while reading a {size}-byte file"


def test_thousands_of_generated_comments_come_in_with_their_trees_and_counts(cli, site, tmp_path):
    path = write_wxr(tmp_path / "big.xml", COMMENTS, per_thread=500)
    status, output = cli("import", "wordpress", path, "--site", site.slug)
    assert status == 0, output
    assert f"{COMMENTS} comments ({COMMENTS} new" in output
    comments = {c.pk: c for c in Comment.objects.all()}
    assert len(comments) == COMMENTS
    for comment in comments.values():
        if comment.parent_id is None:
            assert comment.root_id is None and comment.depth == 0
            continue
        parent = comments[comment.parent_id]
        assert parent.thread_id == comment.thread_id
        assert comment.depth == parent.depth + 1 <= MAX_DEPTH
        assert comment.root_id == (parent.root_id or parent.pk)
    for thread in Thread.objects.all():
        assert thread.comment_count == Comment.objects.filter(thread=thread, status="approved").count()
    statuses = {status: Comment.objects.filter(status=status).count() for status in ("approved", "pending", "spam")}
    assert statuses == {"approved": COMMENTS - COMMENTS // 40 - COMMENTS // 100 + COMMENTS // 200,
                        "pending": COMMENTS // 40 - COMMENTS // 200, "spam": COMMENTS // 100}  # fmt: skip
    # Rendered once at import, as the posting action renders: the same HTML for the same markdown.
    for comment in list(comments.values())[:: COMMENTS // 50]:
        assert comment.body_html == rendering.render(comment.body_markdown)


def test_an_id_met_again_batches_later_is_a_duplicate_on_the_first_run_and_on_a_rerun(cli, site, tmp_path):
    # More comments than a batch, then post 1 again with its first comment: the first copy is in the database
    # by then, not in memory, and is what tells the second one is a duplicate.
    many = BATCH + 1000
    path = write_wxr(tmp_path / "big.xml", many)
    again = ("<item>\n<title>Article 1</title>\n<link>https://news.example/articles/1/</link>\n"
             "<wp:post_id>1</wp:post_id>\n<wp:post_type>post</wp:post_type>\n<wp:comment>\n"
             "<wp:comment_id>1</wp:comment_id>\n<wp:comment_author>Someone</wp:comment_author>\n"
             "<wp:comment_date_gmt>2024-05-01 10:00:00</wp:comment_date_gmt>\n"
             "<wp:comment_content>Not the first comment.</wp:comment_content>\n"
             "<wp:comment_approved>1</wp:comment_approved>\n</wp:comment>\n</item>\n")  # fmt: skip
    path.write_text(path.read_text().replace("</channel>", again + "</channel>"))
    for run in ("first", "again"):
        status, output = cli("import", "wordpress", path, "--site", site.slug)
        assert status == 0, output
        assert "comment 1/1: the same id appears earlier in the file; the first is kept" in output, run
        assert Comment.objects.count() == many, run
        assert not Comment.objects.filter(body_markdown="Not the first comment.").exists()
    assert f"{many} comments (0 new, 0 updated, {many} unchanged)" in output


def _disqus_export(path, threads: int, posts: int):
    """A Disqus export whose posts come in no thread order, as Disqus writes them: post i belongs to thread
    i % threads, every third post answers the previous post of its thread."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" '
                  'xmlns:dsq="http://disqus.com/disqus-internals">\n')  # fmt: skip
        for number in range(threads):
            link = f"<link>https://news.example/story-{number}</link><title>Story {number}</title>"
            out.write(f'<thread dsq:id="t{number}"><id>story-{number}</id>{link}</thread>\n')
        last: dict[int, int] = {}
        for number in range(posts):
            thread = number % threads
            parent = f'<parent dsq:id="p{last[thread]}"/>' if number % 3 == 2 and thread in last else ""
            out.write(f'<post dsq:id="p{number}"><message>Avis {number} sur le sujet.</message>'
                      f"<createdAt>2024-01-01T00:00:{number % 60:02d}Z</createdAt><isDeleted>false</isDeleted>"
                      f"<isSpam>false</isSpam><author><name>Lecteur {number}</name></author>"
                      f'<thread dsq:id="t{thread}"/>{parent}</post>\n')  # fmt: skip
            last[thread] = number
        out.write("</disqus>\n")
    return path


def test_disqus_posts_reach_the_writer_one_whole_thread_at_a_time(tmp_path):
    """Posts in no thread order are parked on disk, so the writer never holds more than one thread."""
    from parvis.importers.disqus import DisqusSource
    from parvis.importers.records import ThreadEnd

    path = _disqus_export(tmp_path / "disqus.xml", threads=40, posts=4000)
    seen_threads: list[str] = []
    open_thread: str | None = None
    count = 0
    with path.open("rb") as file:
        for record in DisqusSource(file).records():
            if isinstance(record, CommentRecord):
                assert open_thread in (None, record.thread_source_id), "a thread's posts are handed on together"
                open_thread = record.thread_source_id
                count += 1
            elif isinstance(record, ThreadEnd):
                assert record.source_id == open_thread
                seen_threads.append(record.source_id)
                open_thread = None
    assert count == 4000 and len(seen_threads) == len(set(seen_threads)) == 40


def test_an_interleaved_disqus_export_comes_in_with_its_replies(cli, site, tmp_path):
    path = _disqus_export(tmp_path / "disqus.xml", threads=12, posts=1200)
    status, output = cli("import", "disqus", path, "--site", site.slug)
    assert status == 0, output
    assert Comment.objects.count() == 1200
    assert Thread.objects.count() == 12
    replies = Comment.objects.exclude(parent=None).select_related("parent")
    # Every third post answers its thread's previous post, once the thread has one (posts 12 and later).
    assert replies.count() == sum(1 for number in range(12, 1200) if number % 3 == 2)
    assert all(reply.parent.thread_id == reply.thread_id for reply in replies)
    assert {thread.comment_count for thread in Thread.objects.all()} == {100}
