"""The scale benchmark's generator (bench/scale_data.py) writes rows the app reads as it reads its own: at a tiny
size, the real API shows each thread's planned comments in the planned tree, and the counts are the published
comments. What `make bench-scale` measures at a million comments is only worth something if this holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from scale_data import Planned, body, plan_thread, thread_sizes, write
from scale_keys import READ_THREAD, count_keys, requests, thread_key

from conftest import ApiClient
from parvis.comments.models import Comment, Status
from parvis.comments.rendering import render
from parvis.threads.models import Thread

COMMENTS, THREADS = 200, 10
REMOVED = {Status.DELETED: "deleted", Status.REJECTED: "removed", Status.SPAM: "removed"}


def expected_tree(plan: list[Planned]) -> list[tuple[int, str, int, list[Any]]]:
    """What a reader is shown, from the plan alone: published comments, and removed ones that still have a
    published reply as placeholders; a hidden comment hides its replies. (position, status, depth, replies)"""
    children: dict[int | None, list[Planned]] = {}
    for planned in plan:
        children.setdefault(planned.parent, []).append(planned)

    def visible(planned: Planned) -> bool:
        if planned.status == Status.APPROVED:
            return True
        kids = children.get(planned.index, [])
        return planned.status in REMOVED and any(kid.status == Status.APPROVED for kid in kids)

    def nodes(parent: int | None) -> list[tuple[int, str, int, list[Any]]]:
        shown = [planned for planned in children.get(parent, []) if visible(planned)]
        shown.sort(key=lambda p: (0 if p.pinned and p.status == Status.APPROVED else 1, p.index))
        return [(p.index, REMOVED.get(p.status, p.status), p.depth, nodes(p.index)) for p in shown]

    return nodes(None)


def shown_tree(nodes: list[dict[str, Any]], position: dict[int, int]) -> list[tuple[int, str, int, list[Any]]]:
    return [(position[n["id"]], n["status"], n["depth"], shown_tree(n["replies"], position)) for n in nodes]


@pytest.fixture
def loaded(site: Any) -> Any:
    return write(site, COMMENTS, THREADS)


def test_the_generated_threads_read_through_the_api_as_planned(api: ApiClient, loaded: Any) -> None:
    sizes = thread_sizes(COMMENTS, THREADS)
    assert loaded.comments == sum(sizes) == Comment.objects.count() == COMMENTS
    assert loaded.threads == Thread.objects.count() == THREADS
    numbered = 0
    for number, size in enumerate(sizes):
        plan = plan_thread(number, size)
        answer = api.thread(thread_key(number), limit=100).json()
        thread = Thread.objects.get(key=thread_key(number))
        ids = list(Comment.objects.filter(thread=thread).order_by("id").values_list("id", flat=True))
        position = {pk: index for index, pk in enumerate(ids)}
        tree = expected_tree(plan)
        assert shown_tree(answer["comments"], position) == tree
        assert answer["top_level_total"] == len(tree)
        published = sum(planned.status == Status.APPROVED for planned in plan)
        assert answer["thread"]["count"] == thread.comment_count == published
        stored = list(Comment.objects.filter(thread=thread).order_by("id"))
        for planned, comment in zip(plan, stored, strict=True):
            numbered += 1
            assert comment.body_markdown == body(planned.language, planned.text, numbered)
            assert comment.body_html == render(comment.body_markdown)
            assert comment.parent_id == (ids[planned.parent] if planned.parent is not None else None)
            assert comment.root_id == (ids[planned.root] if planned.root is not None else None)
        newest = max((c.created_at for c in stored if c.status == Status.APPROVED), default=None)
        assert thread.last_comment_at == newest


def test_one_counts_request_answers_the_published_comments_of_each_thread(api: ApiClient, loaded: Any) -> None:
    sizes = thread_sizes(COMMENTS, THREADS)
    _, path, payload = requests(api.site.slug, THREADS)["counts"]
    assert path == api.url("/counts")
    counts = api.send("post", "/counts", payload).json()["counts"]
    assert set(counts) == set(count_keys(THREADS)) == {thread_key(n) for n in range(THREADS)}
    for number, size in enumerate(sizes):
        assert counts[thread_key(number)] == sum(p.status == Status.APPROVED for p in plan_thread(number, size))


def test_the_plan_is_a_realistic_mix_and_the_same_for_the_same_thread() -> None:
    sizes = thread_sizes(1_000_000, 50_000)
    assert sum(sizes) == 1_000_000 and min(sizes) >= 1
    assert sizes[READ_THREAD] == 200 and max(sizes) == 2000 and sizes.count(2000) == 50
    plan = plan_thread(READ_THREAD, 200)
    assert plan == plan_thread(READ_THREAD, thread_sizes(10_000, 500)[READ_THREAD])
    statuses = {p.status for p in plan}
    assert Status.APPROVED in statuses and Status.PENDING in statuses and statuses & set(REMOVED)
    replies = [p for p in plan if p.parent is not None]
    assert 0.25 * len(plan) < len(replies) < 0.6 * len(plan)
    assert any(p.depth > 1 for p in replies)
    # A reply answers a comment readers could answer then: never a held one or spam.
    assert all(plan[p.parent].status in {Status.APPROVED, Status.DELETED, Status.REJECTED} for p in replies)  # type: ignore[index]
    languages = {p.language for n in range(0, 50_000, 500) for p in plan_thread(n, sizes[n])}
    assert len(languages) >= 5
