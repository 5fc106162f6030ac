"""Words and phrases a newsroom's policy names, found however they are disguised, with the context that excuses them.

The lists live in ``parvis/moderation/lexicons/<lang>.tsv`` (fr, en, he, ar, and ``translit`` for Hebrew and Arabic
abuse written in Latin letters), one entry a line: entry, category, weight, flags, note. They are written by hand
for Parvis; weights say how sure a hit alone is (a slur about 0.9, a mild swear about 0.3).

Every entry goes through `normalise` and into one Aho-Corasick automaton, built once per process, which reads the
comment's matching key in a single pass: "c0nn@rd", "i d i o t", "іdіоt", "בֶּן זוֹנָה", "شـــرموطة" all come out
as the entry they disguise, and `Normalised.span` points each hit back at the words the reader wrote.

A hit must stand on word boundaries, except for the inflections the languages need: Hebrew prefixes (ו ה ב ל ש מ כ)
and suffixes (ים ות ה ...), Arabic prefixes (ال و ب ل ف ك لل ...) and suffixes (ون ين ات هم ...), Latin plural
endings, and a trailing ``*`` on an entry for any ending.

Hate is rarely one word. A group's name is never a finding by itself ("Jews", "Muslims", "يهود", "יהודים" are
ordinary words); it becomes one beside a dehumanising predicate ("are vermin"), a call to violence ("death to",
"should be exterminated"), an antisemitic trope ("control the banks") or, for the Holocaust, its denial ("a lie").
Slurs and coded antisemitism ("ZOG", "(((", "Rothschild puppets", "khazars") count alone. Every hit is then read
in context (`parvis.moderation.rules.context`): negated, quoted, reported or denounced, it counts far less, and
the reason says so.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick
import regex

from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised, normalise
from parvis.moderation.rules import context

LEXICONS = Path(__file__).resolve().parent.parent / "lexicons"
LANGUAGES = ("fr", "en", "he", "ar", "translit")
# Categories an entry may carry; ``profanity`` is scored as ``toxic``.
STANDALONE = frozenset({"insult", "profanity", "hate", "antisemitism", "racism", "threat", "spam"})
TARGETS = frozenset({"antisemitism", "racism", "hate", "place", "coded", "holocaust"})
PREDICATES = frozenset({"dehum", "violent", "trope", "denial"})
# Which groups each kind of predicate turns into hate, and as which hate kind.
PAIRS: dict[str, dict[str, str]] = {
    "dehum": {"antisemitism": "antisemitism", "racism": "racism", "hate": "hate", "coded": "antisemitism"},
    "violent": {
        "antisemitism": "antisemitism", "racism": "racism", "hate": "hate", "place": "hate", "coded": "antisemitism"
    },
    "trope": {"antisemitism": "antisemitism", "coded": "antisemitism"},
    "denial": {"holocaust": "antisemitism"},
}  # fmt: skip
# How many words may stand between a group and its predicate, and how many of them may be other than the link
# words of cues.tsv (copulas, articles, adverbs, negations); a blocking word ("with", "against") breaks the link.
# A dehumanising word needs a tight link ("Jews are parasites", "اليهود طفيليات"), or "Muslim patients with cancer"
# would read as hate; violence and tropes reach a little further ("Muslims are vermin and should be exterminated").
MAX_GAP = {"dehum": 4, "violent": 6, "trope": 6, "denial": 6}
MAX_UNKNOWN_GAP_WORDS = {"dehum": 1, "violent": 6, "trope": 6, "denial": 6}
MAX_SPANS = 20
# Pairs: how far (in key characters) a group may be from its predicate, and how many predicates are read.
PAIR_REACH = 200
MAX_PREDICATES = 300
REASONS = {
    "insult": "Insult",
    "profanity": "Profanity",
    "hate": "Hateful term",
    "antisemitism": "Antisemitic term",
    "racism": "Racist term",
    "threat": "Threat",
    "spam": "Spam phrase",
}
PAIR_REASONS = {
    "dehum": "Dehumanising language about a group",
    "violent": "Call for violence against a group",
    "trope": "Antisemitic trope",
    "denial": "Holocaust denial",
}

_HE_PREFIX = frozenset("ובלהשמכ")
_AR_PREFIXES = frozenset(
    {"ال", "و", "ف", "ب", "ل", "ك", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وب", "ول", "فب", "فل", "يا"}
)
_SUFFIXES = {
    "latin": frozenset({"s", "es", "x"}),
    "he": frozenset({"ימ", "ות", "ה", "ית", "י", "ו", "יה", "יות", "כמ", "נו", "יכ"}),
    "ar": frozenset({"ون", "ين", "ات", "ه", "ها", "هم", "ك", "كم", "وا", "ا", "ان", "نا", "يه", "يات"}),
}
_ENTRY_ALTERNATIVES = regex.compile(r"\[([^\[\]]*)\]")
_WORD_RUN = regex.compile(r"[\p{L}\p{N}*']+")
_SENTENCE_END = regex.compile(r"[.!?;\n؟]")
MAX_EXPANSIONS = 2000


@dataclass(frozen=True)
class Entry:
    """One list entry as written (after expanding its alternatives) and its matching key."""

    text: str
    key: str
    categories: tuple[str, ...]
    weight: float
    language: str
    script: str
    lang_only: bool = False
    reclaimable: bool = False
    excepted: frozenset[str] = frozenset()
    any_ending: bool = False
    note: str = ""

    @property
    def role(self) -> str:
        """ "standalone", "target" or "predicate"."""
        category = self.categories[0]
        if category.startswith("target_"):
            return "target"
        if category.startswith("pred_"):
            return "predicate"
        return "standalone"

    @property
    def kind(self) -> str:
        """The group kind of a target, the predicate kind of a predicate."""
        return self.categories[0].split("_", 1)[1]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int  # in the matching key
    end: int


def expand(entry: str) -> list[str]:
    """``"[i'll|i will] kill [you|him]"`` → the four phrases it stands for (bounded, so a typo cannot explode)."""
    results = [""]
    position = 0
    for match in _ENTRY_ALTERNATIVES.finditer(entry):
        literal = entry[position : match.start()]
        options = match.group(1).split("|")
        results = [prefix + literal + option for prefix in results for option in options][:MAX_EXPANSIONS]
        position = match.end()
    return [" ".join((result + entry[position:]).split()) for result in results]


def script(key: str) -> str:
    """ "he", "ar" or "latin": which inflections a key accepts around it."""
    for character in key:
        if "\u0590" <= character <= "\u05ff":
            return "he"
        if "\u0600" <= character <= "\u06ff":
            return "ar"
    return "latin"


def parse(line: str, language: str) -> list[Entry]:
    """The entries of one TSV line (none for comments, blank or malformed lines)."""
    if not line.strip() or line.startswith("#"):
        return []
    columns = line.rstrip("\n").split("\t")
    if len(columns) < 3:
        return []
    written, categories, weight = columns[0].strip(), columns[1].strip(), columns[2].strip()
    flags = columns[3].strip().split(",") if len(columns) > 3 else []
    note = columns[4].strip() if len(columns) > 4 else ""
    excepted: frozenset[str] = frozenset()
    for flag in flags:
        if flag.startswith("except="):
            excepted = frozenset(word.casefold() for word in flag.removeprefix("except=").split("/"))
    entries = []
    for phrase in expand(written):
        any_ending = phrase.endswith("*") and len(phrase) > 1
        key = normalise(phrase.removesuffix("*") if any_ending else phrase).text
        if not key:
            continue
        entries.append(
            Entry(
                text=phrase.removesuffix("*") if any_ending else phrase,
                key=key,
                categories=tuple(categories.split("+")),
                weight=float(weight),
                language=language,
                script=script(key),
                lang_only="lang" in flags,
                reclaimable="reclaimable" in flags,
                excepted=excepted,
                any_ending=any_ending,
                note=note,
            )
        )
    return entries


def entries(files: tuple[str, ...] = LANGUAGES) -> list[Entry]:
    """Every entry of the named lists (``lexicons/<name>.tsv``)."""
    found: list[Entry] = []
    for language in files:
        path = LEXICONS / f"{language}.tsv"
        for line in path.read_text(encoding="utf-8").splitlines():
            found += parse(line, language)
    return found


@cache
def automaton(files: tuple[str, ...] = LANGUAGES) -> ahocorasick.Automaton:
    """One automaton over the keys of all the lists: a comment's language is often undetected or mixed."""
    return build(entries(files))


def build(found_entries: list[Entry]) -> ahocorasick.Automaton:
    """An automaton over the keys of ``found_entries`` (custom categories build their own with it)."""
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for entry in found_entries:
        by_key[entry.key].append(entry)
    machine = ahocorasick.Automaton()
    for key, found in by_key.items():
        machine.add_word(key, (key, tuple(found)))
    machine.make_automaton()
    return machine


def _word_character(character: str) -> bool:
    return character.isalnum()


def _word_start(key: str, start: int, entry: Entry) -> int:
    """Where the word holding a hit at ``start`` begins (after an accepted prefix), or -1 if not on a boundary."""
    if not _word_character(entry.key[0]):
        return start
    begin = start
    while begin > 0 and _word_character(key[begin - 1]) and start - begin <= 4:
        begin -= 1
    if begin > 0 and _word_character(key[begin - 1]):
        return -1
    prefix = key[begin:start]
    if not prefix:
        return start
    if entry.script == "he" and len(prefix) <= 3 and all(letter in _HE_PREFIX for letter in prefix):
        return begin
    if entry.script == "ar" and prefix in _AR_PREFIXES:
        return begin
    return -1


def _word_end(key: str, end: int, entry: Entry) -> int:
    """Where the word holding a hit ending at ``end`` ends (after an accepted ending), or -1 if it goes on."""
    if not _word_character(entry.key[-1]):
        return end
    finish = end
    limit = len(key) if entry.any_ending else end + 5
    while finish < len(key) and _word_character(key[finish]) and finish <= limit:
        finish += 1
    if entry.any_ending:
        return finish
    if finish < len(key) and _word_character(key[finish]):
        return -1
    suffix = key[end:finish]
    return finish if not suffix or suffix in _SUFFIXES[entry.script] else -1


def hits(key: Normalised, text: str, language: str = "", files: tuple[str, ...] = LANGUAGES) -> Iterator[Hit]:
    """Every entry of the lists standing on word boundaries in ``key``, in order of where it ends."""
    return scan(automaton(files), key, text, language)


def scan(machine: ahocorasick.Automaton, key: Normalised, text: str, language: str = "") -> Iterator[Hit]:
    """Every entry of ``machine`` standing on word boundaries in ``key``, in order of where it ends."""
    if machine.kind != ahocorasick.AHOCORASICK:  # no entries: nothing to find (and iter would fail)
        return
    for last, (entry_key, found) in machine.iter(key.text):
        start, end = last - len(entry_key) + 1, last + 1
        for entry in found:
            if entry.lang_only and language and language != entry.language:
                continue
            word_start, word_end = _word_start(key.text, start, entry), _word_end(key.text, end, entry)
            if word_start < 0 or word_end < 0:
                continue
            if entry.excepted:
                begin, finish = key.span(word_start, word_end)
                if text[begin:finish].casefold().strip() in entry.excepted:
                    continue
            # The hit covers the whole word, prefix and ending included, so it highlights what was written.
            yield Hit(entry, word_start, word_end)


class _Words:
    """Word positions of the key, to count words between two hits."""

    def __init__(self, key: str) -> None:
        self.starts = [match.start() for match in _WORD_RUN.finditer(key)]
        self.key = key

    def between(self, end: int, start: int) -> list[str]:
        first = bisect.bisect_left(self.starts, end)
        last = bisect.bisect_left(self.starts, start)
        words = []
        for index in range(first, min(last, first + 12)):
            match = _WORD_RUN.match(self.key, self.starts[index])
            if match:
                words.append(match.group())
        if last - first > 12:
            words += ["…"] * (last - first - 12)
        return words


def _linked(words: _Words, key: str, target: Hit, predicate: Hit) -> bool:
    first, second = (target, predicate) if target.start <= predicate.start else (predicate, target)
    if first.end > second.start:  # overlapping ("(((they)))" inside a longer phrase): not a pair
        return False
    if _SENTENCE_END.search(key, first.end, second.start):
        return False
    kind = predicate.entry.kind
    gap = words.between(first.end, second.start)
    if len(gap) > MAX_GAP[kind] or any(word in context.words("block") for word in gap):
        return False
    return sum(word not in context.words("link") for word in gap) <= MAX_UNKNOWN_GAP_WORDS[kind]


def _standalone(found: list[Hit]) -> list[Hit]:
    """Drop hits inside a longer standalone hit ("fuck" inside "fuck you", "bitch" in "son of a bitch").

    One sweep in order of start (longest first), so thousands of hits cost no more than sorting them.
    """
    kept = []
    reach_end, reach_start = -1, -1
    for hit in sorted(found, key=lambda hit: (hit.start, -hit.end)):
        inside = reach_end >= hit.end and (reach_start < hit.start or reach_end > hit.end)
        if not inside:
            kept.append(hit)
        if hit.end > reach_end:
            reach_end, reach_start = hit.end, hit.start
    return kept


def _quote(text: str, key: Normalised, hit: Hit) -> str:
    begin, end = key.span(hit.start, hit.end)
    return text[begin:end]


def check(text: str, key: Normalised, language: str) -> list[Finding]:
    """Findings for the list entries in ``text``, each lowered (and said so) when its context excuses it."""
    found = list(hits(key, text, language))
    if not found:
        return []
    standalone = _standalone([hit for hit in found if hit.entry.role == "standalone"])
    targets = [hit for hit in found if hit.entry.role == "target"]
    predicates = [hit for hit in found if hit.entry.role == "predicate"]
    findings: list[Finding] = []

    grouped: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in standalone:
        for category in hit.entry.categories:
            grouped[(hit.entry.key, category)].append(hit)
    for (_, category), group in grouped.items():
        best = max(group, key=lambda hit: hit.entry.weight)
        judged = context.judge(key.text, [(hit.start, hit.end) for hit in group], reclaimable=best.entry.reclaimable)
        reason = f"{REASONS.get(category, category.title())}: '{_quote(text, key, best)}'"
        if best.entry.note:
            reason += f" ({best.entry.note})"
        findings.append(
            Finding(
                rule=f"lexicon.{best.entry.language}.{category}",
                category="toxic" if category == "profanity" else category,
                score=round(best.entry.weight * judged.factor, 4),
                reason=reason + judged.explanation,
                spans=tuple(key.span(hit.start, hit.end) for hit in group[:MAX_SPANS]),
            )
        )
        if category in {"insult", "hate", "antisemitism", "racism", "threat"}:
            findings.append(
                Finding(
                    rule=f"lexicon.{best.entry.language}.{category}",
                    category="toxic",
                    score=round(best.entry.weight * judged.factor * 0.9, 4),
                    reason=reason + judged.explanation,
                    spans=tuple(key.span(hit.start, hit.end) for hit in group[:MAX_SPANS]),
                )
            )

    findings += _pairs(text, key, targets, predicates)
    return findings


def _pairs(text: str, key: Normalised, targets: list[Hit], predicates: list[Hit]) -> list[Finding]:
    """Group + predicate findings: at most one per predicate kind and category (the strongest).

    Only the groups within ``PAIR_REACH`` characters of a predicate are tried, and a slot already holding an
    unexcused finding is not judged again, so a comment repeating one hateful sentence a thousand times costs
    about as much as the sentence once.
    """
    if not targets or not predicates:
        return []
    words = _Words(key.text)
    targets = sorted(targets, key=lambda hit: hit.start)
    starts = [hit.start for hit in targets]
    best: dict[tuple[str, str], Finding] = {}
    settled: set[tuple[str, str]] = set()
    for predicate in predicates[:MAX_PREDICATES]:
        kind = predicate.entry.kind
        low = bisect.bisect_left(starts, predicate.start - PAIR_REACH)
        high = bisect.bisect_right(starts, predicate.end + PAIR_REACH)
        for target in targets[low:high]:
            hate_kind = PAIRS[kind].get(target.entry.kind)
            if hate_kind is None or (kind, hate_kind) in settled:
                continue
            if not _linked(words, key.text, target, predicate):
                continue
            spans = sorted([(target.start, target.end), (predicate.start, predicate.end)])
            judged = context.judge(key.text, spans)
            score = round(predicate.entry.weight * judged.factor, 4)
            reason = (
                f"{PAIR_REASONS[kind]}: '{_quote(text, key, target)}' … '{_quote(text, key, predicate)}'"
                + judged.explanation
            )
            original = tuple(key.span(start, end) for start, end in spans)
            weights = [(hate_kind, 1.0), ("toxic", 0.9)] + ([("threat", 0.85)] if kind == "violent" else [])
            for category, weight in weights:
                finding = Finding(f"lexicon.pair.{kind}", category, round(score * weight, 4), reason, original)
                slot = (kind, category)
                if slot not in best or best[slot].score < finding.score:
                    best[slot] = finding
            if not judged.excuses:
                settled.add((kind, hate_kind))
    return list(best.values())
