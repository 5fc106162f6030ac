"""A newsroom's own block and allow lists, applied to one comment.

Block entries are words or phrases (matched on the normalised key with the lexicons' automaton and word
boundaries, so "c0nn@rd" still meets "connard"), domains (a link to the domain or one of its subdomains) and
regular expressions (on the text as written, each search under `REGEX_TIMEOUT`: a pattern that backtracks is
skipped and logged, never a stalled post). Each hit is a finding naming the entry, with the spans of the original
text, and carries the entry's action (`blocking`) so the pipeline holds or rejects whatever the scores say.

Allow entries take away: an allowed word's occurrences no longer count for the lexicon findings (`exempt`), an
allowed domain's links no longer count as links (`rules.links.check(allowed=...)`).

This module is pure: `compile_lists` builds the matchers from plain `Item`s, and `parvis.moderation.lists` keeps
one compiled set per site, rebuilt when the site's entries change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ahocorasick
import regex

from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised, normalise
from parvis.moderation.rules import lexicon, links

logger = logging.getLogger(__name__)

BLOCK_RULE = "lists.block"
# What the author is told when a block entry names no policy category.
SITE_LIST = "site_list"
# Seconds one regular expression may search one comment; past it, the entry is skipped for that comment.
REGEX_TIMEOUT = 0.025
REGEX_FLAGS = regex.IGNORECASE
MAX_SPANS = 20


@dataclass(frozen=True)
class Item:
    """One list entry, as the rules read it."""

    id: int
    kind: str  # "block" or "allow"
    match: str  # "word", "link" or "regex"
    value: str
    action: str = ""  # "hold" or "reject" (block entries)
    category: str = ""

    @property
    def code(self) -> str:
        """The policy category the entry's hits are decided as (what the author is told)."""
        return self.category or SITE_LIST

    def describe(self) -> str:
        what = {"word": "word", "link": "domain", "regex": "pattern"}.get(self.match, self.match)
        return f"{self.kind} list entry #{self.id} ({what} “{self.value}”)"


@dataclass(frozen=True)
class CompiledLists:
    items: tuple[Item, ...]
    blocked_words: ahocorasick.Automaton
    allowed_words: ahocorasick.Automaton
    blocked_domains: tuple[Item, ...]
    allowed_domains: frozenset[str]
    patterns: tuple[tuple[Item, regex.Pattern[str]], ...]


def _entry(item: Item) -> lexicon.Entry | None:
    any_ending = item.value.endswith("*") and len(item.value) > 1
    written = item.value.removesuffix("*") if any_ending else item.value
    key = normalise(written).text
    if not key:
        return None
    return lexicon.Entry(
        text=written,
        key=key,
        categories=(str(item.id),),
        weight=1.0,
        language="list",
        script=lexicon.script(key),
        any_ending=any_ending,
    )


def word_key(value: str) -> str:
    """The matching key of a word entry (empty when nothing of it would ever match)."""
    return normalise(value.removesuffix("*")).text


def compile_lists(items: tuple[Item, ...]) -> CompiledLists:
    def words(kind: str) -> ahocorasick.Automaton:
        found = [_entry(item) for item in items if item.kind == kind and item.match == "word"]
        return lexicon.build([entry for entry in found if entry is not None])

    patterns = []
    for item in items:
        if item.kind == "block" and item.match == "regex":
            try:
                patterns.append((item, regex.compile(item.value, REGEX_FLAGS)))
            except regex.error:
                logger.warning("list entry #%s is not a valid regular expression; skipped", item.id)
    return CompiledLists(
        items=items,
        blocked_words=words("block"),
        allowed_words=words("allow"),
        blocked_domains=tuple(item for item in items if item.kind == "block" and item.match == "link"),
        allowed_domains=frozenset(item.value for item in items if item.kind == "allow" and item.match == "link"),
        patterns=tuple(patterns),
    )


def _finding(item: Item, text: str, spans: list[tuple[int, int]]) -> Finding:
    written = ", ".join(sorted({f"'{text[start:end]}'" for start, end in spans[:5]}))
    return Finding(
        rule=f"{BLOCK_RULE}.{item.action or 'hold'}",
        category=item.code,
        score=1.0,
        reason=f"On the site's {item.describe()}: {written}.",
        spans=tuple(spans[:MAX_SPANS]),
    )


def pattern_spans(item: Item, pattern: regex.Pattern[str], text: str) -> list[tuple[int, int]] | None:
    """Where ``pattern`` matches ``text`` (non-empty matches), or None when it ran out of time."""
    spans: list[tuple[int, int]] = []
    try:
        for found in pattern.finditer(text, timeout=REGEX_TIMEOUT):
            if found.end() > found.start():
                spans.append((found.start(), found.end()))
                if len(spans) >= MAX_SPANS:
                    break
    except TimeoutError:
        logger.warning("list entry #%s took too long on a comment; skipped for it", item.id)
        return None
    return spans


def matches(compiled: CompiledLists, text: str, key: Normalised) -> dict[int, list[tuple[int, int]]]:
    """Every entry (block and allow) that matches, with its spans in ``text``: what the test box shows."""
    by_item: dict[int, list[tuple[int, int]]] = {}
    for machine in (compiled.blocked_words, compiled.allowed_words):
        for hit in lexicon.scan(machine, key, text):
            by_item.setdefault(int(hit.entry.categories[0]), []).append(key.span(hit.start, hit.end))
    found_links = links.links(text) if compiled.blocked_domains or compiled.allowed_domains else []
    for item in compiled.items:
        if item.match == "link":
            spans = [span for host, span in found_links if links.within(host, frozenset({item.value}))]
            if spans:
                by_item[item.id] = spans
    for item, pattern in compiled.patterns:
        spans = pattern_spans(item, pattern, text) or []
        if spans:
            by_item[item.id] = spans
    return by_item


def check(text: str, key: Normalised, compiled: CompiledLists) -> list[Finding]:
    """A finding for each block entry ``text`` matches."""
    items = {item.id: item for item in compiled.items}
    found = matches(compiled, text, key)
    return [_finding(items[pk], text, spans) for pk, spans in found.items() if items[pk].kind == "block"]


def _overlaps(span: tuple[int, int], allowed: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in allowed)


def exempt(findings: list[Finding], text: str, key: Normalised, compiled: CompiledLists) -> list[Finding]:
    """``findings`` without the lexicon hits on allowed words (a finding left with no span is dropped)."""
    allowed = [key.span(hit.start, hit.end) for hit in lexicon.scan(compiled.allowed_words, key, text)]
    if not allowed:
        return findings
    kept = []
    for finding in findings:
        if finding.rule.startswith("lexicon.") and finding.spans:
            spans = tuple(span for span in finding.spans if not _overlaps(span, allowed))
            if not spans:
                continue
            finding = Finding(finding.rule, finding.category, finding.score, finding.reason, spans)
        kept.append(finding)
    return kept


def blocking(finding: Finding) -> str | None:
    """The action ("hold" or "reject") a block entry's finding imposes; None for any other finding."""
    if not finding.rule.startswith(BLOCK_RULE + "."):
        return None
    return finding.rule.removeprefix(BLOCK_RULE + ".")
