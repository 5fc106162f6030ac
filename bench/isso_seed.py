"""Seed Isso's SQLite database directly with its own schema: the 1,000 listing threads of 20 comments.

Run by the harness with Isso's own interpreter (bench/.work/isso-venv), after Isso has created its tables:

    bench/.work/isso-venv/bin/python bench/isso_seed.py DB_PATH

Posting 20,000 comments through Isso's API (one SQLite connection and commit per comment, under Isso's
global lock) takes minutes on this shared machine, so the rows are written the way Isso's own
`Comments.add` writes them, in one transaction: the same columns, mode 1 (published), the voters Bloom
filter of the poster's address. The 200-comment thread is posted through Isso's API instead.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from isso.utils import Bloomfilter
from seed_data import LISTING_THREADS, listing_key, listing_thread

ADDRESS = "127.0.0.0"


def seed(path: str) -> int:
    voters = memoryview(Bloomfilter(iterable=[ADDRESS]).array)
    now = time.time()
    written = 0
    with sqlite3.connect(path) as connection:
        for thread in range(LISTING_THREADS):
            uri = "/" + listing_key(thread)
            cursor = connection.execute("INSERT INTO threads (uri, title) VALUES (?, ?)", (uri, f"Article {thread}"))
            tid = cursor.lastrowid
            ids: dict[int, int] = {}
            for comment in listing_thread(thread):
                cursor = connection.execute(
                    "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author, email,"
                    " website, voters, notification) VALUES (?, ?, ?, NULL, 1, ?, ?, ?, NULL, NULL, ?, 0)",
                    (
                        tid,
                        None if comment.parent is None else ids[comment.parent],
                        now - 3600 + comment.number,
                        ADDRESS,
                        comment.text,
                        comment.name,
                        voters,
                    ),
                )
                ids[comment.number] = int(cursor.lastrowid or 0)
                written += 1
    return written


if __name__ == "__main__":
    print(f"{seed(sys.argv[1])} comments written")
