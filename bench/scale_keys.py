"""The scale benchmark's thread keys and its two measured requests, shared by the generator, the seeding
process and the harness (no Django here: the harness imports it without settings)."""

from __future__ import annotations

import json

READ_THREAD = 0
COUNT_KEYS = 50
# One thread in a thousand is big (2,000 comments); the first of them is among the site's oldest.
BIG_EVERY = 1000
FIRST_BIG = BIG_EVERY // 2


def thread_key(number: int) -> str:
    return "scale-read" if number == READ_THREAD else f"scale-{number:06d}"


def count_keys(threads: int) -> list[str]:
    """The 50 threads of one listing page, spread over the site (the measured thread among them)."""
    step = max(1, threads // COUNT_KEYS)
    return [thread_key(number) for number in range(0, threads, step)][:COUNT_KEYS]


def requests(site: str, threads: int) -> dict[str, tuple[str, str, str | None]]:
    """name → (method, path, JSON body): one page (100 top-level comments and their replies) of the measured
    thread, and the counts of one listing page's threads in one request."""
    return {
        "thread_read": ("GET", f"/api/v1/sites/{site}/thread?key={thread_key(READ_THREAD)}&limit=100", None),
        "counts": ("POST", f"/api/v1/sites/{site}/counts", json.dumps({"keys": count_keys(threads)})),
    }


def explained(site: str, threads: int) -> dict[str, tuple[str, str, str | None]]:
    """The measured requests, and a page of the oldest big thread (where a plan that walks the comments from the
    newest one back costs the most), whose queries are explained but not measured."""
    found = requests(site, threads)
    if threads > FIRST_BIG:
        path = f"/api/v1/sites/{site}/thread?key={thread_key(FIRST_BIG)}&limit=100"
        found["thread_read_old_big"] = ("GET", path, None)
    return found
