"""Prepare Parvis's database in one process: migrate, create the bench site, save its seeding policy, and
write the 1,000 listing threads of 20 published comments through the ORM.

Run by the harness with the project's interpreter and the server's environment (production settings),
before the server starts:

    PARVIS_DATABASE_URL=... PARVIS_SECRET_KEY=... .venv/bin/python bench/parvis_seed.py SITE_SLUG POLICY_JSON

(one process instead of `parvis migrate`, `parvis site create`, `parvis moderation policy` and a seed: each
start of Django costs seconds on a loaded machine).

20,000 comments through the API would each run the whole moderation pipeline (about as long as the
create measurement itself, for minutes), so they are bulk-inserted as the post action stores a published
comment: rendered HTML, root and depth of replies, the thread's published count. The 200-comment thread is
posted through the public API instead.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.prod")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from seed_data import LISTING_COMMENTS, LISTING_THREADS, listing_key, listing_thread  # noqa: E402

from parvis.comments.models import Comment, Status  # noqa: E402
from parvis.comments.rendering import render  # noqa: E402
from parvis.core.models import Site  # noqa: E402
from parvis.moderation.policy import save_policy  # noqa: E402
from parvis.threads.models import Thread  # noqa: E402


def seed(slug: str) -> int:
    site = Site.objects.get(slug=slug)
    now = timezone.now()
    with transaction.atomic():
        threads = Thread.objects.bulk_create(
            [
                Thread(
                    site=site,
                    key=listing_key(i),
                    title=f"Article {i}",
                    comment_count=LISTING_COMMENTS,
                    last_comment_at=now,
                )
                for i in range(LISTING_THREADS)
            ],
            batch_size=500,
        )
        if threads[0].pk is None:  # a backend that cannot return ids from a bulk insert
            threads = list(Thread.objects.filter(site=site, key__startswith="bench-list-").order_by("key"))
        plans = [listing_thread(i) for i in range(LISTING_THREADS)]

        def comment(thread: Thread, seeded: object, parent: Comment | None) -> Comment:
            number, text, name = seeded.number, seeded.text, seeded.name  # type: ignore[attr-defined]
            return Comment(
                thread=thread,
                parent=parent,
                root=parent,
                depth=1 if parent else 0,
                author_name=name,
                body_markdown=text,
                body_html=render(text),
                status=Status.APPROVED,
                language="fr",
                created_at=now - timedelta(hours=1) + timedelta(seconds=number),
            )

        tops = Comment.objects.bulk_create(
            [comment(t, s, None) for t, plan in zip(threads, plans, strict=True) for s in plan if s.parent is None],
            batch_size=500,
        )
        by_thread: dict[int, list[Comment]] = {}
        for top in tops:
            by_thread.setdefault(top.thread_id, []).append(top)  # type: ignore[arg-type]
        replies = Comment.objects.bulk_create(
            [
                comment(t, s, by_thread[t.pk][s.parent])
                for t, plan in zip(threads, plans, strict=True)
                for s in plan
                if s.parent is not None
            ],
            batch_size=500,
        )
    return len(tops) + len(replies)


def prepare(slug: str, policy: dict) -> int:
    call_command("migrate", "--noinput", verbosity=0)
    call_command("site", "create", slug, "--name=Bench", "--origin=http://127.0.0.1", "--language=fr")
    save_policy(Site.objects.get(slug=slug), policy, note="seeding: no surge or velocity holds")
    return seed(slug)


if __name__ == "__main__":
    print(f"{prepare(sys.argv[1], json.loads(sys.argv[2]))} comments written")
