"""Defamation risk: a named person or organisation accused of a crime or of dishonesty, in one sentence.

A newspaper that publishes "Jean Dupont, the mayor, is a thief" can be sued for it, whoever typed it; "you are a
liar" is an insult, not defamation (no third party is named), and "the mayor was convicted of fraud, according to
the court ruling" reports a fact with its source. So the rule needs both halves in the same sentence:

* who — capitalised name sequences in Latin script ("Jean Dupont", "Acme Corp"), acronyms ("EDF"), @handles, and
  titles that point at one person in every language ("le maire", "the minister", "השר", "الوزير");
* what — an accusation from ``lexicons/defamation.tsv`` (voleur, corrupt, embezzled, גנב, مرتشي ...), found on the
  matching key like any lexicon entry, so "c0rrompu" and "حـرامـي" count.

A hedge or source in the sentence ("selon", "condamné pour", "לכאורה", "حسب") lowers the score, as does a
negation ("he is not a thief"); both are said in the reason.
"""

from __future__ import annotations

import bisect
from functools import cache
from pathlib import Path

import regex

from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised
from parvis.moderation.rules import context, lexicon

FILES = ("defamation",)
HEDGE_FACTOR = 0.35
# A denunciation cue ("condamné") is a hedge here, not counter-speech; reported speech still names the accused.
EXCUSES = frozenset({"negation", "quote"})
# Names: two or more capitalised words ("Jean Dupont", "Marie-Claire Le Pen"), an acronym of 2 to 6 capitals
# ("EDF", "BBC"), or one capitalised word ("... says Dupont", "Macron est un voleur").
_NAMES = regex.compile(
    r"(?<![\p{L}\p{N}])(?:\p{Lu}[\p{Ll}'’]{1,30}"
    r"(?:[ \-](?:(?:de|du|la|le|van|von|bin|ben|al|el)[ \-])?\p{Lu}[\p{Ll}'’]{1,30}){1,4}"
    r"|\p{Lu}{2,6}|\p{Lu}[\p{Ll}'’]{1,30})(?![\p{L}\p{N}])"
)
_HANDLE = regex.compile(r"(?<![\w@])@[\w.]{2,30}")
_SENTENCE = regex.compile(r"[^.!?;\n؟]+")
# Capitalised words that start sentences or are not names, one a line.
NOT_NAMES = Path(__file__).resolve().parent.parent / "lexicons" / "not_names.txt"


@cache
def _not_names() -> frozenset[str]:
    return frozenset(NOT_NAMES.read_text(encoding="utf-8").split())


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(match.start(), match.end()) for match in _SENTENCE.finditer(text)]


def _who(text: str, key: Normalised, titles: list[lexicon.Hit]) -> list[tuple[int, int, str]]:
    """(start, end, words) in the original text of each name, handle or title."""
    found = []
    for match in _NAMES.finditer(text):
        words = match.group()
        single = " " not in words and "-" not in words
        if single and not words.isupper():
            at_start = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1:] in ".!?;\n"
            # At the start of a sentence a capitalised word is a name only if it does not look like a plural
            # common noun ("Macron est un voleur" yes, "Politicians are corrupt" no).
            if words.casefold() in _not_names() or (at_start and words.casefold().endswith(("s", "x"))):
                continue
        elif words.isupper() and words.casefold() in _not_names():
            continue
        elif not single:
            first = words.split()[0] if " " in words else words
            if first.casefold() in _not_names():
                rest = words[len(first) :].strip()
                if not rest or (" " not in rest and rest.casefold() in _not_names()):
                    continue
                words = rest
                found.append((match.end() - len(rest), match.end(), rest))
                continue
        found.append((match.start(), match.end(), words))
    found += [(match.start(), match.end(), match.group()) for match in _HANDLE.finditer(text)]
    for hit in titles:
        start, end = key.span(hit.start, hit.end)
        found.append((start, end, text[start:end]))
    return found


def _outermost(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop names inside longer ones ("העירייה" inside "ראש העירייה", "maire" inside "le maire")."""
    kept = []
    reach = -1
    for who in sorted(found, key=lambda who: (who[0], -who[1])):
        if who[1] > reach:
            kept.append(who)
            reach = who[1]
    return kept


def check(text: str, key: Normalised, language: str) -> list[Finding]:
    """A finding per kind of accusation made, in one sentence, against someone named."""
    found = list(lexicon.hits(key, text, language, FILES))
    accusations = [hit for hit in found if hit.entry.categories[0] == "accusation"]
    if not accusations:
        return []
    titles = [hit for hit in found if hit.entry.categories[0] == "title"]
    hedges = [key.span(hit.start, hit.end) for hit in found if hit.entry.categories[0] == "hedge"]
    sentences = _sentences(text)
    starts = [start for start, _ in sentences]

    def sentence_of(position: int) -> int:
        return max(0, bisect.bisect_right(starts, position) - 1)

    who_by_sentence: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, words in _outermost(_who(text, key, titles)):
        who_by_sentence.setdefault(sentence_of(start), []).append((start, end, words))
    hedged = {sentence_of(start) for start, _ in hedges}

    best: dict[str, Finding] = {}
    for hit in accusations[:200]:
        begin, finish = key.span(hit.start, hit.end)
        index = sentence_of(begin)
        named = [who for who in who_by_sentence.get(index, []) if who[1] <= begin or who[0] >= finish]
        if not named:
            continue
        person = min(named, key=lambda who: (abs(who[0] - begin), who[0] - who[1]))
        judged = context.judge(key.text, [(hit.start, hit.end)], only=EXCUSES)
        factor = judged.factor
        reason = f"Accusation '{text[begin:finish]}' against '{person[2]}', who is named"
        if index in hedged:
            factor *= HEDGE_FACTOR
            reason += " — lowered: the sentence cites a source or a ruling"
        reason += judged.explanation if judged.excuses else "."
        score = round(hit.entry.weight * factor, 4)
        spans = tuple(sorted([(person[0], person[1]), (begin, finish)]))
        if hit.entry.key not in best or best[hit.entry.key].score < score:
            best[hit.entry.key] = Finding("defamation.accusation", "defamation", score, reason, spans)
    return list(best.values())
