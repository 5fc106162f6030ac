"""The data both servers are seeded with, made here so Parvis and Isso hold the same comments.

- The big thread: 100 top-level comments, each with one reply (200 comments). A hundred top-level comments
  is one Parvis page (its largest), and Isso returns a whole thread by default, so one request reads the
  whole thread on both.
- The listing: 1,000 threads of 20 comments (14 top-level, 6 replies), whose counts the listing pages ask for.
Bodies are plain, polite reader comments in French and English with a little Markdown, so the moderation
publishes them; each is distinct so no duplicate check fires.
"""

from __future__ import annotations

from dataclasses import dataclass

BIG_THREAD = "bench-big"
BIG_TOP_LEVEL = 100
LISTING_THREADS = 1000
LISTING_COMMENTS = 20
LISTING_REPLIES = 6
COUNT_KEYS = 50

_OPENINGS = (
    "Merci pour cet article",
    "Thanks for this piece",
    "Je ne suis pas tout à fait d'accord",
    "An interesting point about the budget",
    "Le paragraphe sur les transports est *très* clair",
    "I read the whole report yesterday",
    "Bonne analyse du vote au conseil municipal",
    "The figures in the second chart surprised me",
)
_MIDDLES = (
    "et j'aimerais lire la suite sur les écoles du quartier",
    "and I would like to know more about the timetable",
    "même si la conclusion me semble un peu rapide",
    "although the interview could have been longer",
    "car la situation a beaucoup changé depuis l'an dernier",
    "because the council meets again next month",
)
_ENDINGS = (
    "Bonne journée à toute la rédaction.",
    "Keep up the **good work**.",
    "À suivre, donc.",
    "Looking forward to the follow-up.",
)


def body(number: int) -> str:
    """A distinct, publishable comment text for comment `number`."""
    opening = _OPENINGS[number % len(_OPENINGS)]
    middle = _MIDDLES[(number // len(_OPENINGS)) % len(_MIDDLES)]
    ending = _ENDINGS[(number // 7) % len(_ENDINGS)]
    return f"{opening}, {middle} (remarque n° {number}). {ending}"


def author(number: int) -> str:
    return f"Lecteur {number % 997}"


@dataclass(frozen=True)
class Seeded:
    """One comment to seed: its index in its thread and the index of the comment it answers (or None)."""

    number: int
    parent: int | None
    text: str
    name: str


def big_thread() -> list[Seeded]:
    """Top-level comment i (even positions) followed by its reply (odd positions)."""
    comments = []
    for top in range(BIG_TOP_LEVEL):
        index = 2 * top
        comments.append(Seeded(index, None, body(index), author(index)))
        comments.append(Seeded(index + 1, index, body(index + 1), author(index + 1)))
    return comments


def listing_key(number: int) -> str:
    return f"bench-list-{number:04d}"


def listing_thread(thread: int) -> list[Seeded]:
    """20 comments: the first 14 top-level, the last 6 replies to the first six."""
    base = 1_000_000 + thread * LISTING_COMMENTS
    top = LISTING_COMMENTS - LISTING_REPLIES
    comments = [Seeded(i, None, body(base + i), author(base + i)) for i in range(top)]
    comments += [Seeded(top + i, i, body(base + top + i), author(base + top + i)) for i in range(LISTING_REPLIES)]
    return comments


def count_keys() -> list[str]:
    """The 50 threads of one listing page, spread over the seeded ones."""
    step = LISTING_THREADS // COUNT_KEYS
    return [listing_key(i * step) for i in range(COUNT_KEYS)]


def create_text() -> str:
    """The comment posted in the create measurement; `{n}` is unique per request (wrk fills it in)."""
    return "Merci pour ce reportage sur le marché couvert, remarque {n}. J'y passe *chaque* samedi."
