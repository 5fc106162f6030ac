"""A generated export of some thousands of comments: read as a stream (memory does not grow with the file), every
comment in its place, and the speed-minded write path gives the same rows the comment actions would."""

from __future__ import annotations

import tracemalloc

from parvis.comments import rendering
from parvis.comments.models import MAX_DEPTH, Comment
from parvis.importers.records import CommentRecord
from parvis.importers.samples import write_wxr
from parvis.importers.wordpress import WordPressSource
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
