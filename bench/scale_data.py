"""A large site's comments, planned in memory and written as the app stores them (the scale benchmark, issue 7).

The shape: threads of very different sizes (most of a few comments, one in a thousand with 2,000, one thread of
200 that is measured), a mix of top-level comments and replies (replies answer a recent comment more often than
an old one, up to the app's depth limit), 90 % published with the rest pending or removed (removed comments
keep their replies, as when a moderator takes one down later), six languages, a few votes, edits and staff
marks. Every thread's plan depends only on its number and size, so the measured thread is the same comment for
comment at every total size.

Rows are what the post action stores: rendered HTML (each text template goes through the real renderer once,
the comment's number is put in afterwards, which the renderer leaves as it is), root and depth of replies, the
commenter, the client's hashes, the Wilson rank of the votes, and the threads' published counts and last
comment dates recounted from the rows by the importer's own ``recount_threads``. The writing is the importer's
(``parvis.importers.bulk.Rows``: COPY on PostgreSQL, one executemany on SQLite; ids taken ahead with its
``IdReserver``). Not generated: vote and flag rows (the counters are), moderation decisions and mails.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from scale_keys import BIG_EVERY, FIRST_BIG, READ_THREAD, thread_key

from parvis.accounts.models import Commenter
from parvis.comments.models import MAX_DEPTH, Comment, Status
from parvis.comments.ranking import wilson_lower_bound
from parvis.comments.rendering import render
from parvis.core.models import Site
from parvis.importers.bulk import Rows
from parvis.importers.ids import IdReserver
from parvis.importers.writer import recount_threads
from parvis.threads.models import Thread

READ_SIZE = 200
BIG_SIZE = 2000
# Comments are written (and committed) in batches of about this many, whole threads at a time.
BATCH = 20_000
COMMENTS_PER_COMMENTER = 4
_NUMBER = "987654321"  # stands for the comment's number while a template is rendered

# (status, weight): what a site that moderates after publication holds and removes.
_STATUSES = (
    (Status.APPROVED, 900),
    (Status.PENDING, 50),
    (Status.DELETED, 20),
    (Status.REJECTED, 20),
    (Status.SPAM, 10),
)
# A reply needs a parent readers could answer: published then, perhaps removed since.
_ANSWERABLE = frozenset({Status.APPROVED, Status.DELETED, Status.REJECTED})
_LANGUAGES = (("fr", 40), ("en", 30), ("de", 10), ("es", 10), ("he", 5), ("ar", 5))
# Reader comments written for this benchmark, with a little Markdown; {n} is the comment's number.
_TEXTS = {
    "fr": (
        "Merci pour ce dossier sur les transports, remarque {n}. Le tableau des horaires est *très* utile.",
        "Je ne partage pas la conclusion (avis {n}) : le budget de la ville a **doublé** en dix ans.",
        "Réponse {n} : j'habite le quartier et la situation décrite est exacte.\n\nBonne journée à la rédaction.",
    ),
    "en": (
        "Thanks for the piece on the council vote, comment {n}. The second chart is *really* clear.",
        "I disagree with point {n}: the figures for **last year** tell another story.",
        "Reply {n}: I was at the meeting.\n\n- the vote was close\n- the debate was long",
    ),
    "de": (
        "Danke für den Bericht über den Markt, Beitrag {n}. Die Karte ist *sehr* hilfreich.",
        "Kommentar {n}: Die Zahlen im **dritten** Absatz überraschen mich.",
    ),
    "es": (
        "Gracias por el artículo sobre el puerto, comentario {n}. La entrevista es *muy* interesante.",
        "Respuesta {n}: el presupuesto de **este año** no incluye las escuelas.",
    ),
    "he": (
        "תודה על הכתבה על התחבורה, תגובה {n}. הטבלה *מאוד* ברורה.",
        "תגובה {n}: המספרים בפסקה **השנייה** מפתיעים.",
    ),
    "ar": (
        "شكرا على المقال عن السوق، تعليق {n}. الخريطة *مفيدة جدا*.",
        "رد {n}: أرقام **هذا العام** مختلفة.",
    ),
}
_NAMES = ("Camille", "Alex", "Sam", "Noa", "Lea", "Yusuf", "Mira", "Jonas", "Ines", "Tomás", "Dana", "Karim")


@dataclass(frozen=True)
class Planned:
    """One comment of a thread: its position, the position of the comment it answers, what became of it."""

    index: int
    parent: int | None
    # The position of the top-level comment this one is below (None for a top-level comment).
    root: int | None
    depth: int
    status: str
    language: str
    text: int
    seconds: int
    upvotes: int
    downvotes: int
    edited: bool
    pinned: bool
    editors_pick: bool


@dataclass
class Loaded:
    """What ``write`` wrote, and how long it took."""

    comments: int = 0
    threads: int = 0
    commenters: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    replies: int = 0
    largest_thread: int = 0
    seconds: float = 0.0
    recount_seconds: float = 0.0


def thread_sizes(comments: int, threads: int, seed: int = 7) -> list[int]:
    """Comments per thread, summing to ``comments``: the measured thread, the big ones, the rest skewed (an
    exponential share each, at least one comment: a thread exists from its first comment)."""
    if threads < 1 or comments < threads:
        raise ValueError("at least one comment per thread")
    rng = random.Random(seed)
    sizes = [0] * threads
    sizes[READ_THREAD] = min(READ_SIZE, comments // 4 or 1)
    big = [n for n in range(threads) if n % BIG_EVERY == FIRST_BIG]
    left = comments - sizes[READ_THREAD]
    for number in big:
        sizes[number] = min(BIG_SIZE, left // 4 or 1)
        left -= sizes[number]
    rest = [n for n in range(threads) if not sizes[n]]
    if left < len(rest):
        raise ValueError("too few comments for the threads")
    weights = [rng.expovariate(1.0) for _ in rest]
    total, spread = sum(weights), left - len(rest)
    for number, weight in zip(rest, weights, strict=True):
        sizes[number] = 1 + int(spread * weight / total)
    for offset in range(comments - sum(sizes)):  # what the rounding down left: one more each
        sizes[rest[offset % len(rest)]] += 1
    return sizes


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def plan_thread(number: int, size: int, seed: int = 7) -> list[Planned]:
    """The comments of thread ``number`` in posting order; the same for the same number and size."""
    rng = random.Random(seed * 1_000_003 + number)
    language = _pick(rng, _LANGUAGES)
    planned: list[Planned] = []
    answerable: list[int] = []
    seconds = 0
    for index in range(size):
        seconds += 1 + int(rng.expovariate(1 / 120))
        parent: int | None = None
        root: int | None = None
        depth = 0
        if answerable and rng.random() < 0.45:
            answered = planned[answerable[-1] if rng.random() < 0.5 else rng.choice(answerable)]
            # As the post action does: a reply below the depth limit answers the ancestor at the limit.
            while answered.depth >= MAX_DEPTH and answered.parent is not None:
                answered = planned[answered.parent]
            parent, depth = answered.index, answered.depth + 1
            root = answered.root if answered.root is not None else answered.index
        status = _pick(rng, _STATUSES)
        # A few readers write in another language than the article's.
        lang = language if rng.random() < 0.9 else _pick(rng, _LANGUAGES)
        up = int(rng.expovariate(1 / 3)) if rng.random() < 0.4 else 0
        down = int(rng.expovariate(1.0)) if rng.random() < 0.2 else 0
        published = status == Status.APPROVED
        planned.append(
            Planned(
                index=index,
                parent=parent,
                root=root,
                depth=depth,
                status=status,
                language=lang,
                text=rng.randrange(len(_TEXTS[lang])),
                seconds=seconds,
                upvotes=up,
                downvotes=down,
                edited=rng.random() < 0.02,
                pinned=published and parent is None and rng.random() < 0.002,
                editors_pick=published and rng.random() < 0.003,
            )
        )
        if status in _ANSWERABLE:
            answerable.append(index)
    return planned


class _Bodies:
    """Markdown and HTML of comment ``n`` written from template ``text``: each template is rendered once."""

    def __init__(self) -> None:
        self.rendered: dict[tuple[str, int], tuple[str, str]] = {}

    def __call__(self, language: str, text: int, n: int) -> tuple[str, str]:
        found = self.rendered.get((language, text))
        if found is None:
            markdown = _TEXTS[language][text].format(n=_NUMBER)
            found = self.rendered[(language, text)] = (markdown, render(markdown))
        number = str(n)
        return found[0].replace(_NUMBER, number), found[1].replace(_NUMBER, number)


def body(language: str, text: int, n: int) -> str:
    """The Markdown of comment ``n`` (for checks: ``render`` of it is the stored HTML)."""
    return _TEXTS[language][text].format(n=n)


def _name(person: int) -> str:
    return f"{_NAMES[person % len(_NAMES)]} {person}"


def _hex(value: str, size: int) -> str:
    return hashlib.blake2b(value.encode(), digest_size=size).hexdigest()


def _thread_batches(sizes: list[int]) -> Iterator[list[int]]:
    """Thread numbers in groups of about ``BATCH`` comments (a thread is never split)."""
    group: list[int] = []
    count = 0
    for number, size in enumerate(sizes):
        group.append(number)
        count += size
        if count >= BATCH:
            yield group
            group, count = [], 0
    if group:
        yield group


def write(
    site: Site, comments: int, threads: int, *, seed: int = 7, progress: Callable[[str], None] | None = None
) -> Loaded:
    """Write ``comments`` comments over ``threads`` threads of ``site``, then recount the threads."""
    started = time.monotonic()
    loaded = Loaded()
    sizes = thread_sizes(comments, threads, seed)
    now = timezone.now()
    # Threads are spread over the last year; the newest ends weeks before now (no comment is dated ahead).
    first = now - timedelta(days=400)
    spacing = timedelta(days=365) / threads
    ids = IdReserver()
    pool = max(1, comments // COMMENTS_PER_COMMENTER)
    people = Rows(Commenter)
    commenter_ids = ids.take(Commenter, pool)
    for position, pk in enumerate(commenter_ids):
        email = f"reader{position}@mail.example" if position % 3 == 0 else ""
        people.add(id=pk, site_id=site.pk, name=_name(position), email=email, created_at=first)
    with transaction.atomic():
        people.write()
    loaded.commenters = pool
    bodies = _Bodies()
    rng = random.Random(seed)
    written_threads: list[int] = []
    number_of_comment = 0
    for group in _thread_batches(sizes):
        thread_rows, comment_rows = Rows(Thread), Rows(Comment)
        thread_ids = ids.take(Thread, len(group))
        comment_ids = iter(ids.take(Comment, sum(sizes[number] for number in group)))
        for number, thread_id in zip(group, thread_ids, strict=True):
            start = first + spacing * number
            thread_rows.add(id=thread_id, site_id=site.pk, key=thread_key(number), title=f"Article {number}",
                            url=f"https://news.example/articles/{number}", created_at=start)  # fmt: skip
            pks: list[int] = []
            for planned in plan_thread(number, sizes[number], seed):
                pk = next(comment_ids)
                pks.append(pk)
                number_of_comment += 1
                parent = pks[planned.parent] if planned.parent is not None else None
                root = pks[planned.root] if planned.root is not None else None
                markdown, html = bodies(planned.language, planned.text, number_of_comment)
                created = start + timedelta(seconds=planned.seconds)
                who = rng.randrange(pool)
                comment_rows.add(
                    id=pk, thread_id=thread_id, parent_id=parent, root_id=root, depth=planned.depth,
                    commenter_id=commenter_ids[who], author_name=_name(who), body_markdown=markdown,
                    body_html=html, status=planned.status, language=planned.language, created_at=created,
                    edited_at=created + timedelta(minutes=3) if planned.edited else None, upvotes=planned.upvotes,
                    downvotes=planned.downvotes, score=planned.upvotes - planned.downvotes,
                    rank=wilson_lower_bound(planned.upvotes, planned.downvotes),
                    ip_hash=_hex(f"ip{rng.randrange(pool)}", 16), network_hash=_hex(f"net{rng.randrange(pool)}", 16),
                    user_agent_hash=_hex(f"ua{rng.randrange(50)}", 16),
                    edit_token_hash=_hex(f"token{pk}", 32), pinned=planned.pinned,
                    editors_pick=planned.editors_pick,
                )  # fmt: skip
                loaded.statuses[planned.status] = loaded.statuses.get(planned.status, 0) + 1
                loaded.languages[planned.language] = loaded.languages.get(planned.language, 0) + 1
                loaded.replies += planned.parent is not None
            loaded.largest_thread = max(loaded.largest_thread, sizes[number])
        with transaction.atomic():
            thread_rows.write()
            comment_rows.write()
        written_threads.extend(thread_ids)
        loaded.comments = number_of_comment
        loaded.threads = len(written_threads)
        if progress:
            progress(f"{loaded.comments:,} comments in {loaded.threads:,} threads ({time.monotonic() - started:.0f} s)")
    recounting = time.monotonic()
    with transaction.atomic():
        recount_threads(written_threads)
    loaded.recount_seconds = round(time.monotonic() - recounting, 1)
    loaded.seconds = round(time.monotonic() - started, 1)
    return loaded
